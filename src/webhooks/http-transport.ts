import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebhookRequest } from './webhook-request.js';

/**
 * One HTTP exchange (request, then response head, then body) without redirects, timeouts or retries: those are
 * callWebhook's. The port is small so that tests can answer from a table (test/fakes/fake-http-transport.ts);
 * `nodeHttpTransport` is the real one.
 *
 * The real one is node:http / node:https over shared keep-alive agents rather than the global fetch: at several
 * thousand callbacks a second, fetch's WHATWG streams and per-call AbortSignals dominated the webhook path's CPU.
 * Against a local receiver answering 204, a whole callWebhook costs about 110 µs of CPU this way, against about
 * 500 µs over fetch (and a tenth of the garbage collection). undici's own request API was about 20% cheaper
 * still, not enough to take on a runtime dependency.
 */

export interface ResponseHead {
  status: number;
  location: string | null;
  contentType: string | null;
  /** The response's X- headers, names as sent (RestComm copies them onto `<Sms>` replies). */
  xHeaders?: Record<string, string>;
}

export interface BodyRead {
  /** At most the limit asked for. */
  bytes: Uint8Array;
  /** true when the body had `limit` bytes or more; the connection was then closed instead of read to the end. */
  truncated: boolean;
}

export interface HttpExchange {
  /** The status line and headers; rejects with the socket, TLS or parser error when there are none. */
  readonly head: Promise<ResponseHead>;
  /** Call once, after `head`: reads the body up to `limit` bytes; rejects if the connection fails first. */
  readBody(limit: number): Promise<BodyRead>;
  /** Call once, after `head`, instead of readBody: drops the body unread (redirects); settles when done. */
  discard(): Promise<void>;
  /** Stops the exchange wherever it is; a pending `head` or `readBody` rejects. */
  abort(): void;
}

export type HttpTransport = (request: Pick<WebhookRequest, 'url' | 'method' | 'headers' | 'body'>) => HttpExchange;

/** Connections per origin, like a browser's pool but sized for WEBHOOK_CONCURRENCY (default 256). */
export const MAX_SOCKETS_PER_ORIGIN = 256;

// Idle keep-alive connections are closed before the server is likely to close them, so that a request is rarely
// written into a connection the server is closing (which fails as ECONNRESET). Same rule as undici, which the
// global fetch used: the server's `Keep-Alive: timeout=N` hint less one second, else 4 s.
const DEFAULT_IDLE_MS = 4_000;
const MAX_IDLE_MS = 600_000;
const IDLE_MARGIN_MS = 1_000;
const KEEP_ALIVE_PROBE_MS = 1_000;
const idleTimeouts = new WeakMap<Duplex, number>();

/** How long an idle connection is kept after an answer with this `Keep-Alive` header; 0 or less: not at all. */
export function keepAliveIdleMs(hint: string | undefined): number {
  if (hint === undefined) return DEFAULT_IDLE_MS;
  const seconds = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(hint)?.[1];
  if (seconds === undefined) return DEFAULT_IDLE_MS;
  return Math.min(Number(seconds) * 1000 - IDLE_MARGIN_MS, MAX_IDLE_MS);
}

/** Agent.keepSocketAlive as documented (TCP keep-alive probes, unref), plus the idle timeout; false closes it now. */
function keepIdleSocket(socket: Duplex): boolean {
  const idleMs = idleTimeouts.get(socket) ?? DEFAULT_IDLE_MS;
  if (idleMs <= 0) return false;
  // The agents only ever hold net.Socket / tls.TLSSocket.
  const tcp = socket as Socket;
  tcp.setKeepAlive(true, KEEP_ALIVE_PROBE_MS);
  tcp.unref();
  // An inactivity timeout: set once, it already counts from the last byte of the answer just read. The agent
  // destroys a free socket when it fires (a socket in use ignores it).
  if (tcp.timeout !== idleMs) tcp.setTimeout(idleMs);
  return true;
}

/**
 * A new connection must be up (TCP, then TLS for https) within this, or the call fails as a connection failure
 * (11205) rather than waiting out the whole call's timeout: the same limit as undici, which the global fetch used.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

function limitConnect(socket: Duplex | null | undefined, ready: 'connect' | 'secureConnect'): void {
  if (!socket) return;
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`Connect timeout after ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' }));
  }, CONNECT_TIMEOUT_MS);
  timer.unref();
  const clear = () => clearTimeout(timer);
  socket.once(ready, clear);
  socket.once('close', clear);
}

class WebhookHttpAgent extends HttpAgent {
  override createConnection(options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) {
    const socket = super.createConnection(options, callback);
    limitConnect(socket, 'connect');
    return socket;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    return keepIdleSocket(socket);
  }
}

class WebhookHttpsAgent extends HttpsAgent {
  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void) {
    const socket = super.createConnection(options, callback);
    limitConnect(socket, 'secureConnect');
    return socket;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    return keepIdleSocket(socket);
  }
}

// One pool per scheme for the whole process: connections to a customer's server are reused across deliveries.
// 'lifo' reuses the most recently used connection, so surplus connections go idle and time out.
const agentOptions = {
  keepAlive: true,
  keepAliveMsecs: KEEP_ALIVE_PROBE_MS,
  maxSockets: MAX_SOCKETS_PER_ORIGIN,
  scheduling: 'lifo',
} as const;
const httpAgent = new WebhookHttpAgent(agentOptions);
const httpsAgent = new WebhookHttpsAgent(agentOptions);

class NodeExchange implements HttpExchange {
  readonly head: Promise<ResponseHead>;
  private readonly req: ClientRequest | null = null;
  private res: IncomingMessage | null = null;
  private error: Error | null = null;
  private settleHead: { resolve(head: ResponseHead): void; reject(error: Error): void } | null = null;
  private rejectBody: ((error: Error) => void) | null = null;

  constructor(request: Parameters<HttpTransport>[0]) {
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.settleHead = { resolve, reject };
    });
    try {
      const target = new URL(request.url);
      const secure = target.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const req = send(target, { method: request.method, headers: request.headers, agent: secure ? httpsAgent : httpAgent });
      req.on('response', (res) => this.onResponse(res));
      req.on('error', (error) => this.fail(error));
      req.end(request.body);
      this.req = req;
    } catch (error) {
      // http.request throws synchronously for what it cannot put on the wire (e.g. a control character in a header).
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private onResponse(res: IncomingMessage): void {
    this.res = res;
    res.on('error', (error) => this.fail(error));
    const hint = res.headers['keep-alive'];
    if (res.socket) idleTimeouts.set(res.socket, keepAliveIdleMs(typeof hint === 'string' ? hint : undefined));
    const settle = this.settleHead;
    this.settleHead = null;
    settle?.resolve({
      status: res.statusCode ?? 0,
      location: res.headers.location ?? null,
      contentType: res.headers['content-type'] ?? null,
      xHeaders: xHeadersOf(res.rawHeaders),
    });
  }

  /** The first error wins; it rejects whatever is pending, or the next readBody. */
  private fail(error: Error): void {
    if (this.error !== null) return;
    this.error = error;
    const settleHead = this.settleHead;
    const rejectBody = this.rejectBody;
    this.settleHead = null;
    this.rejectBody = null;
    settleHead?.reject(error);
    rejectBody?.(error);
  }

  readBody(limit: number): Promise<BodyRead> {
    const res = this.res;
    if (res === null || this.error !== null) return Promise.reject(this.error ?? new Error('No response to read'));
    return new Promise<BodyRead>((resolve, reject) => {
      this.rejectBody = reject;
      const chunks: Buffer[] = [];
      let total = 0;
      const done = (truncated: boolean) => {
        if (this.rejectBody === null) return;
        this.rejectBody = null;
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
        resolve({ bytes: truncated ? bytes.subarray(0, limit) : bytes, truncated });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        total += chunk.length;
        if (total < limit) return;
        // Enough read: the rest is not wanted, so the connection goes rather than being drained.
        res.removeAllListeners('data');
        done(true);
        res.destroy();
      });
      res.on('end', () => done(false));
    });
  }

  discard(): Promise<void> {
    const res = this.res;
    if (res === null || res.readableEnded || res.destroyed) return Promise.resolve();
    // Anything still arriving could be large or never end: that connection is closed rather than drained.
    if (!res.complete) {
      res.destroy();
      return Promise.resolve();
    }
    // A short body has usually been parsed together with the head: drained, the connection goes back to the pool
    // (just before 'end' listeners' promises settle), in time for the redirect's own request to reuse it.
    return new Promise<void>((resolve) => {
      res.once('end', resolve);
      res.once('close', resolve);
      res.resume();
    });
  }

  abort(): void {
    this.fail(new Error('Request aborted'));
    this.req?.destroy();
  }
}

/** node:http / node:https over the shared keep-alive agents. */
export const nodeHttpTransport: HttpTransport = (request) => new NodeExchange(request);

/** X- headers from Node's raw [name, value, …] list, names as sent; a repeated name keeps its last value. */
function xHeadersOf(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (/^x-/i.test(name)) headers[name] = raw[i + 1] as string;
  }
  return headers;
}
