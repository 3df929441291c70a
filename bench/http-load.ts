// The load generator: one keep-alive agent, a fixed number of workers pulling the next job (closed loop, so
// "concurrency 50" means at most 50 requests in flight), and per-request latency.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
}

export interface HttpJob {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

// The load generator shares the bench's 2 cores with the service: per request it should cost as little as it
// can. So a URL is parsed once (not on every request), and the body goes out with the headers in one write.
const targets = new Map<string, { host: string; port: number; path: string }>();

function target(url: string): { host: string; port: number; path: string } {
  let found = targets.get(url);
  if (found === undefined) {
    const parsed = new URL(url);
    found = { host: parsed.hostname, port: Number(parsed.port || 80), path: `${parsed.pathname}${parsed.search}` };
    if (targets.size < 1000) targets.set(url, found);
  }
  return found;
}

export function send(agent: Agent, job: HttpJob, timeoutMs = 60_000): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest({ ...target(job.url), method: job.method, headers: job.headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', (error) => resolve({ status: 0, body: String(error), ms: performance.now() - started }));
    });
    // Status 0 stands for "no HTTP answer" (refused, reset, timeout): counted as an error, never thrown.
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: String(error), ms: performance.now() - started }));
    if (job.body !== null) req.end(job.body);
    else req.end();
  });
}

/** Runs jobs 0..count-1 with at most `concurrency` in flight; results are in job order. */
export async function runClosedLoop<T>(options: { count: number; concurrency: number; run: (index: number) => Promise<T> }): Promise<T[]> {
  const results: T[] = new Array<T>(options.count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const index = next;
      next += 1;
      results[index] = await options.run(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  return results;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export async function getJson<T>(agent: Agent, url: string): Promise<T> {
  const result = await send(agent, { method: 'GET', url, headers: {}, body: null });
  if (result.status !== 200) throw new Error(`GET ${url} answered ${result.status}: ${result.body.slice(0, 200)}`);
  return JSON.parse(result.body) as T;
}
