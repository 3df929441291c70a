// The `drachtio` SipPort adapter: drachtio-srf in inbound mode (we dial drachtio-server's admin port), so the
// application can originate MESSAGEs at any time (spec sip-stack.md §3.4, §7.2).
//
// What drachtio-srf does not do and this adapter therefore does (spec §3.2, §3.5, D6):
// - a per-request deadline (local 408), since drachtio-srf has none of its own;
// - fail fast: requests pending when the control connection closes resolve at once as local 503s;
// - bounded reconnect (`retryMaxDelay` always set), an `error` listener always attached, and `connect`
//   handled idempotently because it fires again after every reconnect.
import { pino, type Logger } from 'pino';
import type {
  IncomingMessageHandler,
  IncomingSipMessage,
  OutgoingSipMessage,
  SendOptions,
  SipFinalResponse,
  SipListenAddress,
  SipPort,
  SipReply,
} from '../port.js';
import { parseDrachtioUrl, parseServerHostports, type DrachtioEndpoint } from './drachtio-url.js';
import { LOCAL_CONNECTION_LOST, PendingRequests, type PendingSettle } from './pending-requests.js';
import { bodyToText, headerListToObject, parseHeaderSection, toDrachtioHeaders, uriUser } from './sip-text.js';
import { SipTransportError } from './sip-transport-error.js';
import {
  abandonReconnect,
  createSrf,
  type SrfError,
  type SrfIncomingRequest,
  type SrfInstance,
  type SrfServerResponse,
  type SrfUacResponse,
} from './srf-facade.js';

export interface DrachtioSipAdapterOptions {
  /** `drachtio://secret@host[:port]` or `tcp://host:port` (then pass `secret`); see drachtio-url.ts. */
  url: string;
  secret?: string;
  /** Overall deadline per request; must exceed drachtio-server's Timer F (32 s by default). Default 40000. */
  requestTimeoutMs?: number;
  /** Reconnect backoff cap (drachtio-srf starts at 150 ms, factor 1.7). Default `{ retryMaxDelayMs: 2000 }`. */
  reconnect?: { retryMaxDelayMs: number; maxAttempts?: number };
  /** How long `start()` waits for the first authenticated connection. Default 10000. */
  startTimeoutMs?: number;
  logger?: Logger;
}

interface Settings {
  endpoint: DrachtioEndpoint;
  requestTimeoutMs: number;
  retryMaxDelayMs: number;
  maxAttempts: number | undefined;
  startTimeoutMs: number;
}

const SRF_SOCKET_ERRORS = new Set(['EINVALIDSOCKET', 'ESOCKETDESTROYED']);
const SRF_REFUSED_ERRORS = new Set(['EDRACHTIO', 'ENODIALOG']);

/** The port, plus where drachtio-server listens for SIP (what peers such as the SMSC must send to). */
export interface DrachtioSipPort extends SipPort {
  /** drachtio-server's UDP/TCP SIP listeners as reported at the last authentication; [] before the first. */
  boundAddresses(): SipListenAddress[];
}

export function createDrachtioSipAdapter(options: DrachtioSipAdapterOptions): DrachtioSipPort {
  return new DrachtioSipAdapter(options);
}

class DrachtioSipAdapter implements DrachtioSipPort {
  readonly name = 'drachtio' as const;
  private readonly settings: Settings;
  private readonly log: Logger;
  private readonly pending = new PendingRequests();
  private srf: SrfInstance | undefined;
  private state: 'idle' | 'started' | 'stopped' = 'idle';
  private connected = false;
  private handler: IncomingMessageHandler | undefined;
  private serverAddresses: SipListenAddress[] = [];
  private startWaiter: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: DrachtioSipAdapterOptions) {
    this.settings = readSettings(options);
    this.log = (options.logger ?? pino({ enabled: false })).child({ component: 'sip', adapter: 'drachtio' });
  }

  isReady(): boolean {
    return this.state === 'started' && this.connected;
  }

  boundAddresses(): SipListenAddress[] {
    return this.serverAddresses.map((address) => ({ ...address }));
  }

  onMessage(handler: IncomingMessageHandler): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new SipTransportError('INVALID_CONFIG', `cannot start a drachtio adapter that is ${this.state}`);
    this.state = 'started';
    const srf = createSrf();
    this.srf = srf;
    srf.on('error', (err) => this.log.warn({ err }, 'drachtio control connection error'));
    srf.on('reconnecting', (info) => this.log.info(info, 'reconnecting to drachtio-server'));
    srf.on('close', () => this.onClose());
    srf.on('connect', (err, hostport, version) => this.onConnect(err, hostport, version));
    srf.message((req, res) => void this.onIncoming(req, res));
    const { host, port, secret } = this.settings.endpoint;
    srf.connect({ host, port, secret, reconnect: { retryMaxDelay: this.settings.retryMaxDelayMs, maxAttempts: this.settings.maxAttempts } });
    try {
      await this.waitForFirstConnect();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.state !== 'started' || this.srf === undefined) return;
    const srf = this.srf;
    const wasConnected = this.connected;
    this.state = 'stopped';
    this.connected = false;
    this.startWaiter?.reject(new SipTransportError('NOT_STARTED', 'adapter stopped before connecting'));
    if (!abandonReconnect(srf)) this.log.warn('drachtio-srf internals moved; a pending reconnect may still fire');
    const closed = new Promise<void>((resolve) => {
      srf.on('close', () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    const failed = this.pending.failAll({ ...LOCAL_CONNECTION_LOST, reason: 'Service Unavailable (adapter stopped)' });
    if (failed > 0) this.log.warn({ failed }, 'drachtio adapter stopped with requests in flight');
    try {
      srf.disconnect();
      if (wasConnected) await closed;
    } catch {
      // No socket connected right now: abandonReconnect already made sure none will be opened.
    }
  }

  async request(method: 'MESSAGE' | 'OPTIONS', message: OutgoingSipMessage, options?: SendOptions): Promise<SipFinalResponse> {
    if (this.state !== 'started' || this.srf === undefined) throw new SipTransportError('NOT_STARTED', 'drachtio adapter is not started');
    if (!this.connected) throw new SipTransportError('NOT_CONNECTED', 'no control connection to drachtio-server');
    const srf = this.srf;
    const body = bodyToText(message.body);
    const headers = toDrachtioHeaders(message);
    const timeoutMs = options?.timeoutMs ?? this.settings.requestTimeoutMs;
    return this.pending.track({
      timeoutMs,
      send: (settle) => {
        try {
          srf.request(message.requestUri, { method, headers, body }, (err, sent) => {
            if (err !== null || sent === undefined) return this.onRequestFailed(settle, err);
            sent.on('response', (res) => this.onResponse(settle, res));
          });
        } catch (cause) {
          // drachtio-srf throws synchronously when its socket map is already empty (close not yet delivered).
          settle.reject(new SipTransportError('NOT_CONNECTED', 'control connection to drachtio-server just closed', { cause }));
        }
      },
    });
  }

  private waitForFirstConnect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const { host, port } = this.settings.endpoint;
        reject(new SipTransportError('CONNECT_TIMEOUT', `no authenticated connection to drachtio-server ${host}:${port} within ${this.settings.startTimeoutMs} ms`));
      }, this.settings.startTimeoutMs);
      const done = (action: () => void): void => {
        clearTimeout(timer);
        this.startWaiter = undefined;
        action();
      };
      this.startWaiter = { resolve: () => done(resolve), reject: (error) => done(() => reject(error)) };
    });
  }

  // Fires after every (re)connect; only state is set here, drachtio-srf re-sends `route|message` by itself.
  private onConnect(err: Error | null, hostport: string | undefined, version: string | undefined): void {
    if (this.state !== 'started') return;
    if (err !== null) {
      this.connected = false;
      this.log.error({ err }, 'drachtio-server rejected the shared secret');
      this.startWaiter?.reject(new SipTransportError('AUTH_FAILED', 'drachtio-server rejected the shared secret', { cause: err }));
      return;
    }
    this.connected = true;
    this.serverAddresses = parseServerHostports(hostport ?? '');
    this.log.info({ hostport, version }, 'connected to drachtio-server');
    this.startWaiter?.resolve();
  }

  private onClose(): void {
    const wasConnected = this.connected;
    this.connected = false;
    const failed = this.pending.failAll(LOCAL_CONNECTION_LOST);
    if (wasConnected || failed > 0) this.log.warn({ failed }, 'drachtio control connection closed; pending requests failed');
  }

  private onRequestFailed(settle: PendingSettle, err: SrfError | null): void {
    const code = err?.code ?? '';
    const detail = err?.message ?? 'no request object';
    if (SRF_REFUSED_ERRORS.has(code)) {
      settle.reject(new SipTransportError('REQUEST_REJECTED', `drachtio-server refused the request: ${detail}`, { cause: err }));
    } else if (SRF_SOCKET_ERRORS.has(code)) {
      settle.reject(new SipTransportError('NOT_CONNECTED', `control connection unusable: ${detail}`, { cause: err }));
    } else {
      // The request reached drachtio-server but cannot be tracked (e.g. its echo did not parse): outcome unknown.
      this.log.error({ err }, 'drachtio-srf lost track of a sent request');
      settle.resolve({ status: 503, reason: `Service Unavailable (drachtio-srf: ${detail})`, headers: [], local: true });
    }
  }

  private onResponse(settle: PendingSettle, res: SrfUacResponse): void {
    if (res.status < 200 || !settle.isOpen()) return;
    const raw = res.msg.raw;
    const headers = raw !== undefined ? parseHeaderSection(raw) : Object.entries(res.msg.headers);
    // 408/503 generated by drachtio-server (its Timer F, or no route) arrive here as ordinary responses.
    settle.resolve({ status: res.status, reason: res.reason, headers, local: false });
  }

  private async onIncoming(req: SrfIncomingRequest, res: SrfServerResponse): Promise<void> {
    const reply = await this.replyFor(toIncomingMessage(req));
    try {
      res.send(reply.status, reply.reason, { headers: headerListToObject(reply.headers ?? []) });
    } catch (err) {
      // drachtio-srf throws before sending anything when it does not know the status code.
      this.log.error({ err, status: reply.status }, 'handler reply could not be sent; answering 500');
      res.send(500, undefined, { headers: {} });
    }
  }

  private async replyFor(message: IncomingSipMessage): Promise<SipReply> {
    if (this.handler === undefined) return { status: 503, reason: 'Service Unavailable' };
    try {
      const reply = await this.handler(message);
      if (!Number.isInteger(reply.status) || reply.status < 200 || reply.status > 699) {
        this.log.error({ status: reply.status, callId: message.callId }, 'handler returned a non-final status; answering 500');
        return { status: 500 };
      }
      return reply;
    } catch (err) {
      this.log.error({ err, callId: message.callId }, 'incoming MESSAGE handler failed; answering 500');
      return { status: 500 };
    }
  }
}

function toIncomingMessage(req: SrfIncomingRequest): IncomingSipMessage {
  const raw = req.msg.raw;
  const from = req.get('From') ?? '';
  const to = req.get('To') ?? '';
  return {
    method: req.method,
    requestUri: req.uri,
    from,
    to,
    fromUser: uriUser(from),
    toUser: uriUser(to),
    callId: req.get('Call-ID') ?? '',
    cseq: req.get('CSeq') ?? '',
    headers: raw !== undefined ? parseHeaderSection(raw) : Object.entries(req.msg.headers),
    // drachtio delivers bodies as UTF-8-decoded strings; bytes that were not UTF-8 are already U+FFFD (spec D9).
    body: Buffer.from(req.body ?? '', 'utf8'),
    source: { transport: req.protocol === 'udp' ? 'udp' : 'tcp', address: req.source_address, port: req.source_port },
  };
}

function readSettings(options: DrachtioSipAdapterOptions): Settings {
  const settings: Settings = {
    endpoint: parseDrachtioUrl({ url: options.url, secret: options.secret }),
    requestTimeoutMs: options.requestTimeoutMs ?? 40_000,
    retryMaxDelayMs: options.reconnect?.retryMaxDelayMs ?? 2_000,
    maxAttempts: options.reconnect?.maxAttempts,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
  };
  for (const key of ['requestTimeoutMs', 'retryMaxDelayMs', 'startTimeoutMs'] as const) {
    if (!(settings[key] > 0)) throw new SipTransportError('INVALID_CONFIG', `${key} must be a positive number of ms`);
  }
  return settings;
}
