/**
 * Child process of `mixed-load.ts`: one autocannon instance per kind of traffic, all at once,
 * each drawing its requests at random (seeded) from its own list, so latencies are told
 * apart by kind. Reads its configuration (JSON) on stdin, prints one line `LOAD_JSON {kind: result}`.
 */
import autocannon from 'autocannon';
import { seededRandom } from './random.ts';
import { type KindResult, type LoadChildConfig, type LoadRequest, type LoadScenario, MARK } from './mixed-load.ts';

function run(config: LoadChildConfig, scenario: LoadScenario, index: number): Promise<[string, KindResult]> {
  const next = seededRandom(config.seed + index);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: config.origin,
        connections: scenario.connections,
        duration: config.durationS,
        timeout: config.timeoutS,
        requests: [
          {
            setupRequest: (req) => {
              const r = scenario.requests[Math.floor(next() * scenario.requests.length)] as LoadRequest;
              return { ...req, method: r.method, path: r.path, headers: { ...r.headers }, body: r.body ?? '' };
            }
          }
        ]
      },
      (error, result) => {
        if (error) return reject(error);
        const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number((s as { count: number | string }).count)]));
        resolve([
          scenario.kind,
          {
            requests: result.requests.total,
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            maxMs: result.latency.max,
            errors: result.errors,
            timeouts: result.timeouts,
            statuses
          }
        ]);
      }
    );
  });
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadChildConfig;
const results = await Promise.all(config.scenarios.map((s, i) => run(config, s, i)));
process.stdout.write(`${MARK}${JSON.stringify(Object.fromEntries(results))}\n`);
