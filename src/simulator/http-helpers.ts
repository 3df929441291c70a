// The few HTTP helpers the control API and the echo receiver share (plain node:http: two tiny local servers do
// not need a framework).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** A small local HTTP server with the start/stop shape the simulator's pieces expose. */
export interface LocalHttpServer {
  /** Listens on the configured host:port (0 = ephemeral) and resolves with the bound address. */
  start(): Promise<{ host: string; port: number }>;
  /** Closes open connections and the listener; a no-op when not started. */
  stop(): Promise<void>;
}

/** Serves `handler`; a thrown error becomes JSON `{ error }` with its HttpError status (500 otherwise). */
export function localHttpServer(options: { listen: { host: string; port: number }; handler: HttpHandler }): LocalHttpServer {
  let server: Server | null = null;
  return {
    async start() {
      const created = createServer((request, response) => {
        options.handler(request, response).catch((error: unknown) => {
          const status = error instanceof HttpError ? error.status : 500;
          if (!response.headersSent) sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
          else response.end();
        });
      });
      await listen(created, options.listen);
      server = created;
      const bound = created.address() as AddressInfo;
      return { host: bound.address, port: bound.port };
    },
    async stop() {
      const closing = server;
      server = null;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}

function listen(server: Server, address: { host: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
