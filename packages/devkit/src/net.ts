import { createServer } from 'node:net';

/**
 * A TCP port free on `host` (127.0.0.1 unless given) right now, for a server a test or a script is
 * about to start.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
