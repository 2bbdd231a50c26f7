import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now (benchmarks only ever bind and target loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `url` until it answers `status` (default 200); resolves with the elapsed ms. */
export async function waitForStatus(
  url: string,
  opts: { status?: number; timeoutMs?: number; intervalMs?: number; isAlive?: () => boolean } = {},
): Promise<number> {
  const started = performance.now();
  const deadline = started + (opts.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === (opts.status ?? 200)) return performance.now() - started;
    } catch {
      /* not listening yet */
    }
    if (opts.isAlive && !opts.isAlive()) throw new Error(`process exited before ${url} answered`);
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await sleep(opts.intervalMs ?? 20);
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, isAlive: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!isAlive()) throw new Error(`the process meant to listen on port ${port} exited`);
    if (performance.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await sleep(20);
  }
}
