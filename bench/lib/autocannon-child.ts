/** Child process of `load.ts`: runs autocannon with the JSON config in argv[2], prints one marked JSON line. */
import autocannon from 'autocannon';

interface Config {
  origin: string;
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  mark: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const result = await autocannon({
  url: config.origin,
  connections: config.connections,
  duration: config.durationS,
  timeout: 5,
  requests: config.paths.map((path) => ({ method: 'GET' as const, path, headers: config.headers }))
});
const out = {
  requests: result.requests.total,
  durationS: result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  failures: result.non2xx + result.errors + result.timeouts
};
process.stdout.write(`${config.mark}${JSON.stringify(out)}\n`);
