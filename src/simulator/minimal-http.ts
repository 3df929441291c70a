// A minimal HTTP/1.1 server framing on node:net, for the bench's peers (`smsc-connect simulate --lean-http`).
// node:http costs these peers about 80 µs of CPU per request on the bench machine, more than half of the
// 0.15 ms per message they may use; this framing costs a fraction of that. It serves what the service's webhook
// client, the bench's load generator, curl and fetch send: requests with a Content-Length or chunked body (or
// none), keep-alive (HTTP/1.1 by default, HTTP/1.0 with `Connection: keep-alive`), pipelined requests answered in
// order. Refused, then the connection closed: another Transfer-Encoding 501, a malformed request 400, a head over
// 16 KiB 431, a body over the limit 413. Like node:http it sends `Keep-Alive: timeout=5` (the service's client
// reads it to close idle connections first) and closes a connection idle for 5 s.
import { STATUS_CODES } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { PlainAnswer, PlainRequest } from './http-helpers.js';

const MAX_HEAD_BYTES = 16 * 1024;
const KEEP_ALIVE_S = 5;
const HEAD_END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;

export interface MinimalHttpServer {
  address: { host: string; port: number };
  stop(): Promise<void>;
}

export interface MinimalHttpOptions {
  listen: { host: string; port: number };
  /** Answers one request; never rejects (the caller wraps the handler with its error answers). */
  answer: (request: PlainRequest) => Promise<PlainAnswer>;
  /** The answer to a request this framing refuses (400, 413, 431, 501): the caller's error shape. */
  refuse: (status: number, message: string) => PlainAnswer;
  maxBodyBytes: number;
}

/** One parsed request, or a refusal (answered, then the connection is closed). */
type Parsed =
  | { kind: 'request'; request: PlainRequest; close: boolean; consumed: number }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'incomplete' };

export async function startMinimalHttpServer(options: MinimalHttpOptions): Promise<MinimalHttpServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as { address: string; port: number };
  return {
    address: { host: bound.address, port: bound.port },
    stop: () => close(server, sockets),
  };
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Requests on one connection are handled one at a time, so answers go out in request order. */
function serveConnection(socket: Socket, options: MinimalHttpOptions): void {
  let pending: Buffer | null = null;
  let busy = false;
  let ended = false;
  // Idle keep-alive connections close after 5 s; a connection whose request is still being handled (POST /mo
  // waits for the service's SIP answer) is not idle.
  socket.setTimeout(KEEP_ALIVE_S * 1000);
  socket.on('timeout', () => (busy ? socket.setTimeout(KEEP_ALIVE_S * 1000) : socket.destroy()));
  socket.on('error', () => socket.destroy()); // a peer reset: nothing to answer
  const drain = async (): Promise<void> => {
    busy = true;
    while (pending !== null && !ended) {
      const parsed = parseRequest(pending, options.maxBodyBytes);
      if (parsed.kind === 'incomplete') break;
      if (parsed.kind === 'refused') {
        ended = true;
        socket.end(serialize(options.refuse(parsed.status, parsed.message), true));
        break;
      }
      pending = parsed.consumed === pending.length ? null : pending.subarray(parsed.consumed);
      const answer = await options.answer(parsed.request);
      if (socket.destroyed) return;
      if (parsed.close) {
        ended = true;
        socket.end(serialize(answer, true));
      } else {
        socket.write(serialize(answer, false));
      }
    }
    busy = false;
  };
  socket.on('data', (chunk: Buffer) => {
    if (ended) return;
    pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
    if (!busy) void drain();
  });
}

export function parseRequest(bytes: Buffer, maxBodyBytes: number): Parsed {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return bytes.length > MAX_HEAD_BYTES ? refused(431, 'Request header fields too large') : { kind: 'incomplete' };
  if (headEnd > MAX_HEAD_BYTES) return refused(431, 'Request header fields too large');
  const lines = bytes.toString('latin1', 0, headEnd).split('\r\n');
  const start = REQUEST_LINE.exec(lines[0]!);
  if (!start) return refused(400, 'Malformed request line');
  const headers: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.charCodeAt(colon - 1) === 32) return refused(400, 'Malformed header line');
    headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string): string | undefined => headerValue(headers, name);
  const body = readBody(bytes, headEnd + HEAD_END.length, header, maxBodyBytes);
  if (body.kind !== 'body') return body;
  const connection = (header('connection') ?? '').toLowerCase();
  const close = start[3] === '0' ? !connection.includes('keep-alive') : connection.includes('close');
  return { kind: 'request', request: { method: start[1]!, url: start[2]!, header, body: body.body }, close, consumed: body.end };
}

type Body = { kind: 'body'; body: Buffer; end: number } | Exclude<Parsed, { kind: 'request' }>;

/** A Content-Length body, a chunked one (node's http client sends a body written without a length so), or none. */
function readBody(bytes: Buffer, start: number, header: (name: string) => string | undefined, maxBodyBytes: number): Body {
  const coding = header('transfer-encoding');
  if (coding !== undefined) {
    if (coding.toLowerCase() !== 'chunked') return refused(501, `Transfer-Encoding "${coding}" is not supported here`);
    if (header('content-length') !== undefined) return refused(400, 'Both Transfer-Encoding and Content-Length');
    return readChunked(bytes, start, maxBodyBytes);
  }
  const length = header('content-length') ?? '0';
  if (!/^\d+$/.test(length)) return refused(400, `Bad Content-Length "${length}"`);
  const bodyLength = Number(length);
  if (bodyLength > maxBodyBytes) return refused(413, 'Request body too large');
  if (bytes.length < start + bodyLength) return { kind: 'incomplete' };
  return { kind: 'body', body: bytes.subarray(start, start + bodyLength), end: start + bodyLength };
}

/** RFC 9112 §7.1: hex size lines (extensions ignored), each chunk followed by CRLF, a 0 chunk, optional trailers. */
function readChunked(bytes: Buffer, start: number, maxBodyBytes: number): Body {
  const chunks: Buffer[] = [];
  let size = 0;
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return { kind: 'incomplete' };
    const sizeText = bytes.toString('latin1', at, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) return refused(400, 'Bad chunk size');
    const chunkSize = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (chunkSize === 0) break;
    size += chunkSize;
    if (size > maxBodyBytes) return refused(413, 'Request body too large');
    if (bytes.length < at + chunkSize + 2) return { kind: 'incomplete' };
    if (bytes[at + chunkSize] !== 13 || bytes[at + chunkSize + 1] !== 10) return refused(400, 'Chunk not followed by CRLF');
    chunks.push(bytes.subarray(at, at + chunkSize));
    at += chunkSize + 2;
  }
  // Trailer lines (ignored) up to an empty line.
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return lineEnd - at > MAX_HEAD_BYTES ? refused(431, 'Trailer too large') : { kind: 'incomplete' };
    const empty = lineEnd === at;
    at = lineEnd + 2;
    if (empty) return { kind: 'body', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), end: at };
  }
}

/** Like node:http: the first `host`; other repeated headers joined with ", ". */
function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of headers) {
    if (key !== name) continue;
    if (found === undefined) found = value;
    else if (name !== 'host') found = `${found}, ${value}`;
  }
  return found;
}

function refused(status: number, message: string): { kind: 'refused'; status: number; message: string } {
  return { kind: 'refused', status, message };
}

export function serialize(answer: PlainAnswer, close: boolean): string {
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(answer.headers ?? {})) head += `${name}: ${value}\r\n`;
  head += `Date: ${httpDate()}\r\n`;
  head += close ? 'Connection: close\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${KEEP_ALIVE_S}\r\n`;
  if (answer.body === undefined) return `${head}\r\n`;
  return `${head}Content-Length: ${Buffer.byteLength(answer.body)}\r\n\r\n${answer.body}`;
}

let dateSecond = 0;
let dateText = '';

/** The Date header, formatted once per second (node:http caches it the same way). */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
