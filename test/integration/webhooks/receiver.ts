// A real node:http webhook receiver on 127.0.0.1 that records every request the way a customer's server sees it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** The full URL as the receiver reconstructs it: scheme + Host header + request target (query included). */
  url: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed form body (POST); empty for GET. Repeated keys become arrays, as Express would give them. */
  params: Record<string, string | string[]>;
  /** The client's port: the same for requests that came over one keep-alive connection. */
  remotePort: number | undefined;
}

export type Responder = (request: ReceivedRequest, res: ServerResponse) => void;

export interface Receiver {
  baseUrl: string;
  requests: ReceivedRequest[];
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

function parseForm(raw: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else params[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = (_request, res) => res.writeHead(204).end();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: `http://${req.headers.host ?? ''}${req.url ?? ''}`,
        headers: req.headers,
        rawBody,
        params: isForm ? parseForm(rawBody) : {},
        remotePort: req.socket.remotePort,
      };
      requests.push(request);
      responder(request, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next) {
      responder = next;
    },
    async close() {
      // Hanging requests (timeout tests) would keep close() waiting forever.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
