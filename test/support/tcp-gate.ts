import net from 'node:net';
import { freePort } from './pg-instance.js';

/**
 * A TCP relay in front of a server that a test can shut: closed, it ends every relayed connection and refuses
 * new ones (to a client, the server is gone); the test itself still reaches the server directly.
 */
export interface TcpGate {
  readonly port: number;
  close(): Promise<void>;
  open(): Promise<void>;
}

export async function openTcpGate(targetPort: number): Promise<TcpGate> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await open();
  return { port, open, close };
}
