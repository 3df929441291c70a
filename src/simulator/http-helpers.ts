// The few HTTP helpers the control API and the echo receiver share. Their handlers see a plain request (method,
// URL, header lookup, whole body) and return a plain answer, so the same handler runs on either framing:
// - 'node' (default): node:http, for the demo and anything else that talks to these servers;
// - 'minimal' (`--lean-http`): minimal-http.ts, a small HTTP/1.1 framing on node:net that costs a fraction of
//   node:http per request, for the bench (which measures the service, not these peers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMinimalHttpServer } from './minimal-http.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type HttpFraming = 'node' | 'minimal';

export interface PlainRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  /** The first value of a header (lower-case name); other repeated headers joined with ", " like node:http. */
  header(lowerName: string): string | undefined;
  body: Buffer;
}

export interface PlainAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Absent for 204 (no body, no Content-Length, as node:http sends it). */
  body?: string;
}

export type PlainHandler = (request: PlainRequest) => PlainAnswer | Promise<PlainAnswer>;

export function jsonAnswer(status: number, body: unknown): PlainAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Runs `handler`; a thrown error becomes JSON `{ error }` with its HttpError status (500 otherwise). */
export async function answerFor(handler: PlainHandler, request: PlainRequest): Promise<PlainAnswer> {
  try {
    return await handler(request);
  } catch (error) {
    return errorAnswer(error);
  }
}

export function errorAnswer(error: unknown): PlainAnswer {
  const status = error instanceof HttpError ? error.status : 500;
  return jsonAnswer(status, { error: error instanceof Error ? error.message : String(error) });
}

/** A small local HTTP server with the start/stop shape the simulator's pieces expose. */
export interface LocalHttpServer {
  /** Listens on the configured host:port (0 = ephemeral) and resolves with the bound address. */
  start(): Promise<{ host: string; port: number }>;
  /** Closes open connections and the listener; a no-op when not started. */
  stop(): Promise<void>;
}

export function localHttpServer(options: { listen: { host: string; port: number }; handler: PlainHandler; framing?: HttpFraming }): LocalHttpServer {
  let stopServer: (() => Promise<void>) | null = null;
  return {
    async start() {
      if ((options.framing ?? 'node') === 'minimal') {
        const minimal = await startMinimalHttpServer({
          listen: options.listen, maxBodyBytes: MAX_BODY_BYTES,
          answer: (request) => answerFor(options.handler, request),
          refuse: (status, message) => errorAnswer(new HttpError(status, message)),
        });
        stopServer = () => minimal.stop();
        return minimal.address;
      }
      const created = createServer((request, response) => void serveNode(options.handler, request, response));
      await listen(created, options.listen);
      stopServer = () => {
        created.closeAllConnections();
        return new Promise<void>((resolve) => created.close(() => resolve()));
      };
      const bound = created.address() as AddressInfo;
      return { host: bound.address, port: bound.port };
    },
    async stop() {
      const stopping = stopServer;
      stopServer = null;
      await stopping?.();
    },
  };
}

async function serveNode(handler: PlainHandler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let answer: PlainAnswer;
  try {
    const body = await readBody(request);
    answer = await answerFor(handler, { method: request.method ?? '', url: request.url ?? '/', header: (name) => rawHeader(request, name), body });
  } catch (error) {
    answer = errorAnswer(error);
  }
  if (response.headersSent) return void response.end();
  if (answer.body === undefined) {
    response.writeHead(answer.status, answer.headers);
    response.end();
    return;
  }
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
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

/**
 * The first value of a header, from rawHeaders (request.headers builds an object of every header on first use).
 * Like request.headers, a repeated header's first value is taken for `host`; for other single-value headers
 * node joins duplicates with ", ", which a signature comparison would reject anyway.
 */
function rawHeader(request: IncomingMessage, lowerName: string): string | undefined {
  const raw = request.rawHeaders;
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    if (found === undefined) found = raw[i + 1];
    else if (lowerName !== 'host') found = `${found}, ${raw[i + 1]}`;
  }
  return found;
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
