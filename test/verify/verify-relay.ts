import net from 'node:net';

export interface Relay {
  readonly port: number;
  /** Stops forwarding and accepting: whatever goes through it hangs, as on a network that stopped answering. */
  freeze(): void;
  /** Ends every connection through it at once, as when a server or the network goes away. */
  cut(): void;
  close(): void;
}

/** A TCP relay to a local server port, so a test can freeze or cut the connections a process made through it. */
export function relayTo(port: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    sockets.add(client);
    if (frozen) return;
    const upstream = net.connect(port, '127.0.0.1');
    upstream.on('error', () => undefined);
    sockets.add(upstream);
    client.on('data', (d) => void (frozen || upstream.write(d)));
    upstream.on('data', (d) => void (frozen || client.write(d)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        freeze: () => void (frozen = true),
        cut,
        close: () => {
          cut();
          server.close();
        },
      });
    });
  });
}
