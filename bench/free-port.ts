// Free local ports for children that take a fixed port (the service's PORT and SIP_LISTEN): bind port 0, read
// the port, release it. A tiny race with other processes is accepted; a collision fails loudly at start-up.
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP (the service listens on both by default). */
export async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freeTcpPort();
    if (await udpFree(port)) return port;
  }
  throw new Error('no free UDP+TCP port found on 127.0.0.1');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}
