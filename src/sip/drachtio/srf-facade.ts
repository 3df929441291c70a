// A narrow, typed view of the part of drachtio-srf 5.x this adapter uses.
//
// Why not the package's own `lib/@types/index.d.ts`: it does not match the runtime (spec sip-stack.md §3.8:
// `connect()` typed as a Promise, no `message()`, wrong `request()` arity, no `reconnect` option). So we load the
// CommonJS module through `createRequire` (which yields an untyped value) and declare exactly what we call. The
// one cast from the untyped module to these interfaces lives in `createSrf` below and nowhere else.
import { createRequire } from 'node:module';

export interface SrfConnectOptions {
  host: string;
  port: number;
  secret: string;
  /** drachtio-srf's backoff grows without limit unless `retryMaxDelay` is set (spec §3.5), so it is required. */
  reconnect: { retryMaxDelay: number; maxAttempts?: number };
}

/** The parsed message object drachtio-srf keeps on requests and responses; `raw` is the text as received. */
export interface SrfSipMessage {
  raw?: string;
  headers: Record<string, string>;
}

/** A final or provisional response to a request we sent. */
export interface SrfUacResponse {
  status: number;
  reason: string;
  msg: SrfSipMessage;
}

/** The request object handed back once drachtio-server has sent our request. */
export interface SrfSentRequest {
  stackTxnId: string;
  on(event: 'response', listener: (res: SrfUacResponse) => void): void;
}

/** A request that arrived from the network. */
export interface SrfIncomingRequest {
  method: string;
  uri: string;
  body?: string;
  source_address: string;
  source_port: number;
  protocol: string;
  msg: SrfSipMessage;
  get(name: string): string | undefined;
}

/** The response object for an incoming request. `send` throws on a status code drachtio-srf does not know. */
export interface SrfServerResponse {
  send(status: number, reason: string | undefined, opts: { headers: Record<string, string> }): void;
}

export interface SrfRequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** The error drachtio-srf passes when the server answers a client frame with NOK (`err.code === 'EDRACHTIO'`). */
export interface SrfError extends Error {
  code?: string;
}

export interface SrfInstance {
  connect(opts: SrfConnectOptions): unknown;
  /** Ends the control connection and stops reconnecting; throws when no socket is connected. */
  disconnect(): void;
  message(handler: (req: SrfIncomingRequest, res: SrfServerResponse) => void): void;
  /**
   * Callback form on purpose: the callback runs synchronously while drachtio-srf handles the server's OK frame,
   * so a `response` listener attached there cannot miss a response frame that arrived in the same TCP chunk.
   */
  request(uri: string, opts: SrfRequestOptions, callback: (err: SrfError | null, req?: SrfSentRequest) => void): void;
  on(event: 'connect', listener: (err: Error | null, hostport?: string, serverVersion?: string) => void): void;
  on(event: 'close' | 'error', listener: (err?: Error) => void): void;
  on(event: 'reconnecting', listener: (info: { delay: number; attempt: number }) => void): void;
}

/**
 * The wire-protocol object behind an Srf in inbound mode. drachtio-srf has no public way to abandon a reconnect
 * that is waiting on its timer (`disconnect()` needs a connected socket), so `stop()` reaches this far in.
 */
interface SrfWireProtocolInternals {
  closing?: boolean;
  reconnectVars?: { retryTimer?: ReturnType<typeof setTimeout> | null };
}

const requireCjs = createRequire(import.meta.url);

export function createSrf(): SrfInstance {
  const SrfCtor = requireCjs('drachtio-srf') as new () => SrfInstance;
  return new SrfCtor();
}

/**
 * Stop any pending reconnect and mark the connection as closing so drachtio-srf never dials again.
 * Returns false when the internals are not where drachtio-srf 5.x keeps them (then a reconnect may still fire).
 */
export function abandonReconnect(srf: SrfInstance): boolean {
  const wp = readWireProtocol(srf);
  if (wp === undefined) return false;
  wp.closing = true;
  const timer = wp.reconnectVars?.retryTimer;
  if (timer) {
    clearTimeout(timer);
    wp.reconnectVars!.retryTimer = null;
  }
  return true;
}

function readWireProtocol(srf: SrfInstance): SrfWireProtocolInternals | undefined {
  const app: unknown = Reflect.get(srf, 'app');
  const client: unknown = isObject(app) ? Reflect.get(app, 'client') : undefined;
  const wp: unknown = isObject(client) ? Reflect.get(client, 'wp') : undefined;
  return isObject(wp) ? (wp as SrfWireProtocolInternals) : undefined;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
