// A loopback TCP proxy in front of a real server (PostgreSQL, dovecot) that a test can take down
// and bring back, or that cuts a connection at an exact point of the conversation: the moment
// the client sends (or the server answers) bytes matching a pattern. Faults happen at a known
// step of the protocol instead of after a guessed delay.
import net from 'node:net';

export type Direction = 'toServer' | 'toClient';

export interface CutRule {
  direction: Direction;
  match: RegExp;
  /** Called once the connection was cut (the test can then wait on it). */
  onCut?: () => void;
}

export interface TcpProxy {
  readonly port: number;
  /** Connections cut by rules so far. */
  readonly cuts: number;
  /** Cuts the first connection on which `rule` matches (once), from both sides at once. */
  cutWhen(rule: CutRule): void;
  /** Destroys every open connection and refuses new ones until up(). */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let rule: CutRule | undefined;
  let isDown = false;
  let cuts = 0;

  const server = net.createServer((client) => {
    if (isDown) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    open.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    const relay = (from: net.Socket, to: net.Socket, direction: Direction) => {
      from.on('data', (chunk: Buffer) => {
        const r = rule;
        if (r && r.direction === direction && r.match.test(chunk.toString('latin1'))) {
          // Whatever matched never arrives: the peer sees the connection drop right there.
          rule = undefined;
          cuts++;
          cut();
          r.onCut?.();
          return;
        }
        to.write(chunk);
      });
    };
    relay(client, upstream, 'toServer');
    relay(upstream, client, 'toClient');
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        open.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get cuts() {
      return cuts;
    },
    cutWhen(r) {
      rule = r;
    },
    down() {
      isDown = true;
      for (const s of open) s.destroy();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
