/** Sequential HTTP requests over one keep-alive socket, timed from send to last byte. */
import { Agent, request } from 'node:http';

export interface Timed {
  status: number;
  ms: number;
  body: Buffer;
}

export class SequentialClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly origin: URL;

  constructor(origin: string) {
    this.origin = new URL(origin);
  }

  send(method: 'GET' | 'POST', path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<Timed> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(options.body));
      }
      const req = request(
        { host: this.origin.hostname, port: this.origin.port, path, method, headers, agent: this.agent, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        }
      );
      req.on('timeout', () => req.destroy(new Error(`délai dépassé : ${method} ${path}`)));
      req.on('error', reject);
      req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
