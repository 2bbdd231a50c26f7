// A free loopback port for a server a test starts itself (dovecot, an SMTP sink, npm start): the
// OS picks one by binding port 0, and it is released at once for the real server to take.
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
