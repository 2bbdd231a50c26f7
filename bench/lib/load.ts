// autocannon wrapper: every response time is recorded (autocannon's own histogram has no p95),
// non-2xx answers and socket errors are counted, and the figures come back as plain numbers.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fixed body, or a function producing a fresh one per request (unique emails etc.). */
  body?: string | (() => string);
  connections?: number;
  durationSec?: number;
  /** Stop after this many requests instead of a duration. */
  amount?: number;
  /** Requests/s across all connections (open-ish load); unset = as fast as possible. */
  overallRate?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  durationSec: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarise(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(opts.url)) throw new Error(`benchmarks only target 127.0.0.1: ${opts.url}`);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const bodyFn = typeof opts.body === 'function' ? opts.body : undefined;
  const started = performance.now();
  let done!: (r: autocannon.Result) => void;
  let failed!: (e: Error) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: opts.url,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: typeof opts.body === 'string' ? opts.body : undefined,
      connections: opts.connections ?? 10,
      // autocannon rejects keys that are present but undefined.
      ...(opts.amount ? { amount: opts.amount } : { duration: opts.durationSec ?? 10 }),
      ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
      requests: bodyFn ? [{ setupRequest: (req) => ({ ...req, body: bodyFn() }) }] : undefined,
    },
    (err, res) => (err ? failed(err) : done(res)),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode < 200 || statusCode > 299) non2xx++;
  });
  instance.on('reqError', () => {
    errors++;
  });
  const result = await finished;
  const durationSec = (performance.now() - started) / 1000;
  const stats = summarise(latencies);
  return {
    requests: latencies.length,
    // autocannon's own duration excludes connection set-up; fall back to wall time if absent.
    rps: latencies.length / (result.duration || durationSec),
    ...stats,
    errors: errors + result.errors + result.timeouts,
    non2xx,
    durationSec: result.duration || durationSec,
  };
}

/** Sequential requests (one at a time) for endpoints where per-request latency matters more than load. */
export async function timeRequests(
  n: number,
  fn: () => Promise<Response>,
): Promise<{ p50: number; p95: number; p99: number; max: number; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (!res.ok) failures++;
  }
  return { ...summarise(times), failures };
}

/**
 * Open-loop load at an even pace: one request every 1/rate s whatever the server's speed, each
 * latency measured from its scheduled start (no coordinated omission). autocannon's overallRate
 * is not used for this: it releases each second's quota as one burst at the start of the second,
 * which measures queueing behind the burst instead of latency at that rate.
 */
export async function runPaced(opts: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: () => string;
  rate: number;
  durationSec: number;
  maxSockets?: number;
}): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(opts.url)) throw new Error(`benchmarks only target 127.0.0.1: ${opts.url}`);
  const { default: http } = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 256 });
  const total = Math.round(opts.rate * opts.durationSec);
  const interval = 1000 / opts.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const one = (scheduled: number) =>
    new Promise<void>((resolve) => {
      const body = opts.body?.();
      const req = http.request(
        opts.url,
        {
          method: opts.method ?? 'GET',
          agent,
          headers: { ...opts.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - scheduled);
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(one(scheduled));
  }
  await Promise.all(inflight);
  agent.destroy();
  const durationSec = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    rps: latencies.length / durationSec,
    ...summarise(latencies),
    errors,
    non2xx,
    durationSec,
  };
}
