// The `native` SipPort: our own RFC 3261 non-INVITE transaction layer over node:dgram and node:net.
import { networkInterfaces } from 'node:os';
import pino, { type Logger } from 'pino';
import type {
  IncomingMessageHandler,
  OutgoingSipMessage,
  SendOptions,
  SipFinalResponse,
  SipListenAddress,
  SipPort,
} from '../port.js';
import { ClientTransaction } from './client-transaction.js';
import { newBranch } from './identifiers.js';
import { InboundRequests } from './inbound-requests.js';
import { buildOutboundRequest, resolveTarget, type OutboundTarget } from './outbound-request.js';
import { DEFAULT_SIP_LIMITS, type SipLimits } from './limits.js';
import { countConnectionEvent, emptyStats, type ConnectionEvent, type NativeSipStats } from './native-stats.js';
import { parseSipMessage } from './parser.js';
import { serializeRequest } from './serializer.js';
import type { SipFramingError } from './stream-framer.js';
import { UnreadableMessages } from './unreadable-messages.js';
import { DEFAULT_SIP_TIMERS, getHeaderValues, type SipResponse, type SipTimers } from './sip-message.js';
import { createTcpTransport, createUdpTransport, type SipTransport, type TransportSource } from './transports.js';
import { parseTopVia, type ResponseTarget, type Via } from './via.js';

export interface NativeSipAdapterOptions {
  listen: SipListenAddress[];
  timers?: SipTimers;
  logger?: Logger;
  /**
   * Source filter (SIP_ALLOWED_SOURCES). A TCP connection from elsewhere is closed on accept; a UDP request from
   * elsewhere gets 403 when it parses and nothing otherwise (never 400 or 413).
   */
  allowedSources?: (address: string) => boolean;
  /** Message size, TCP timeouts and connection caps; DEFAULT_SIP_LIMITS for what is not given. */
  limits?: Partial<SipLimits>;
  /** Host written into Via when listening on a wildcard address; defaults to the first external IPv4. */
  advertisedHost?: string;
}

/** One outgoing request: what `request()` hands to its client transaction. */
interface ClientRun {
  branch: string;
  method: string;
  bytes: Buffer;
  target: OutboundTarget;
  transport: SipTransport;
  timeoutMs: number | undefined;
  resolve: (response: SipFinalResponse) => void;
  reject: (error: Error) => void;
}

interface Bound {
  transport: SipTransport;
  address: SipListenAddress;
}

export type { NativeSipStats } from './native-stats.js';

export class NativeSipAdapter implements SipPort {
  readonly name = 'native' as const;
  private readonly timers: SipTimers;
  private readonly logger: Logger;
  private readonly inbound: InboundRequests;
  private readonly clients = new Map<string, { transaction: ClientTransaction; method: string; fail: () => void }>();
  private bound: Bound[] = [];
  private started = false;
  private readonly counters: NativeSipStats = emptyStats();
  private readonly limits: SipLimits;
  private readonly unreadable: UnreadableMessages;

  constructor(private readonly options: NativeSipAdapterOptions) {
    if (options.listen.length === 0) throw new Error('The native SIP adapter needs at least one listen address');
    this.timers = { ...(options.timers ?? DEFAULT_SIP_TIMERS) };
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'sip', adapter: 'native' });
    this.limits = { ...DEFAULT_SIP_LIMITS, ...options.limits };
    this.unreadable = new UnreadableMessages({
      limits: this.limits,
      allowedSources: options.allowedSources,
      logger: this.logger,
      counters: this.counters,
      sendResponse: (bytes, target) => this.sendResponse(bytes, target),
    });
    this.inbound = new InboundRequests({
      timers: this.timers,
      logger: this.logger,
      allowedSources: options.allowedSources,
      sendResponse: (bytes, target) => this.sendResponse(bytes, target),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    const onBytes = (data: Buffer, source: TransportSource): void => this.onBytes(data, source);
    const tcpOptions = {
      limits: this.limits,
      allowedSources: this.options.allowedSources,
      onFramingError: (error: SipFramingError, source: TransportSource) => this.unreadable.framingError(error, source),
      onConnectionEvent: (event: ConnectionEvent) => countConnectionEvent(this.counters, event),
    };
    try {
      for (const listen of this.options.listen) {
        const common = { listen, onBytes, logger: this.logger };
        const transport = listen.transport === 'udp' ? createUdpTransport(common) : createTcpTransport({ ...common, ...tcpOptions });
        this.bound.push({ transport, address: await transport.start() });
      }
    } catch (error) {
      await this.closeTransports();
      throw error;
    }
    this.started = true;
    this.logger.info({ listen: this.boundAddresses() }, 'SIP adapter listening');
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const { fail } of [...this.clients.values()]) fail();
    this.inbound.clear();
    await this.closeTransports();
  }

  isReady(): boolean {
    return this.started;
  }

  /** The addresses actually bound (real ports when 0 was configured). */
  boundAddresses(): SipListenAddress[] {
    return this.bound.map(({ address }) => ({ ...address }));
  }

  stats(): NativeSipStats {
    return { ...this.counters };
  }

  onMessage(handler: IncomingMessageHandler): void {
    this.inbound.setHandler(handler);
  }

  async request(method: 'MESSAGE' | 'OPTIONS', message: OutgoingSipMessage, options: SendOptions = {}): Promise<SipFinalResponse> {
    if (!this.started) throw new Error('SIP adapter is not started');
    const target = resolveTarget(message.requestUri);
    const local = this.bound.find((b) => b.address.transport === target.transport);
    if (!local) throw new Error(`No ${target.transport.toUpperCase()} listener configured for ${message.requestUri}`);
    const branch = newBranch();
    const request = buildOutboundRequest({ method, message, branch, local: { ...local.address, host: this.viaHost(local.address) } });
    const bytes = serializeRequest(request);
    return new Promise<SipFinalResponse>((resolve, reject) => {
      this.runClientTransaction({ branch, method, bytes, target, transport: local.transport, timeoutMs: options.timeoutMs, resolve, reject });
    });
  }

  private runClientTransaction(run: ClientRun): void {
    const { branch, method, target, transport } = run;
    // The transaction outlives its request by Timer K (T4 = 5 s over UDP) to absorb retransmitted responses, and
    // the closures below share one scope that lives as long. So the request bytes and the caller's callbacks are
    // reached only through `pending`, emptied when the request settles.
    let pending: ClientRun | undefined = run;
    let attempts = 0;
    const settle = (response: SipFinalResponse | Error): void => {
      if (!pending) return;
      const { resolve, reject } = pending;
      pending = undefined;
      clearTimeout(deadline);
      if (response instanceof Error) reject(response);
      else resolve(response);
    };
    const transaction = new ClientTransaction({
      reliable: target.transport === 'tcp',
      timers: this.timers,
      transmit: () => {
        if (!pending) return;
        attempts += 1;
        const attempt = attempts;
        transport.send(pending.bytes, target).catch((error: Error) => {
          this.logger.warn({ err: error, target, attempt }, 'SIP send failed');
          if (attempt > 1) return;
          transaction.abort();
          settle(new Error(`Cannot send SIP ${method} to ${target.address}:${target.port}: ${error.message}`));
        });
      },
      onFinal: (response) => settle(response ? toFinal(response) : localResponse(408, 'Request Timeout')),
      onTerminated: () => this.clients.delete(branch),
    });
    const deadline =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            transaction.abort();
            settle(localResponse(408, 'Request Timeout'));
          }, run.timeoutMs);
    const fail = (): void => {
      transaction.abort();
      settle(localResponse(503, 'Service Unavailable'));
    };
    this.clients.set(branch, { transaction, method, fail });
    transaction.start();
  }

  private onBytes(data: Buffer, source: TransportSource): void {
    // Streams are framed within the limit already; a datagram is checked here.
    if (source.transport === 'udp' && this.unreadable.isOversizedDatagram(data)) {
      this.unreadable.oversizedDatagram(data, source);
      return;
    }
    let message;
    try {
      message = parseSipMessage(data);
    } catch (error) {
      this.unreadable.unparsable(error, source);
      return;
    }
    let via: Via;
    try {
      via = parseTopVia(getHeaderValues(message.headers, 'via'));
    } catch (error) {
      this.counters.dropped += 1;
      this.logger.warn({ err: error, source }, 'SIP message with an unusable Via dropped');
      return;
    }
    if (message.kind === 'response') this.onResponse(message, via, source);
    else this.inbound.receive(message, via, source);
  }

  private onResponse(response: SipResponse, via: Via, source: TransportSource): void {
    const client = via.params.branch === undefined ? undefined : this.clients.get(via.params.branch);
    const cseqMethod = getHeaderValues(response.headers, 'cseq')[0]?.split(/\s+/)[1];
    if (!client || cseqMethod !== client.method) {
      this.counters.strayResponses += 1;
      this.logger.debug({ source, status: response.status }, 'SIP response matching no transaction dropped');
      return;
    }
    client.transaction.receive(response);
  }

  private sendResponse(bytes: Buffer, target: ResponseTarget): void {
    const bound = this.bound.find((b) => b.address.transport === target.transport);
    if (!bound) return;
    bound.transport.send(bytes, target).catch((error: Error) => {
      this.logger.warn({ err: error, target }, 'Sending SIP response failed');
    });
  }

  private viaHost(address: SipListenAddress): string {
    if (this.options.advertisedHost) return this.options.advertisedHost;
    if (address.host !== '0.0.0.0' && address.host !== '::') return address.host;
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    return external?.address ?? '127.0.0.1';
  }

  private async closeTransports(): Promise<void> {
    const bound = this.bound;
    this.bound = [];
    await Promise.all(bound.map(({ transport }) => transport.stop()));
  }
}

function toFinal(response: SipResponse): SipFinalResponse {
  return { status: response.status, reason: response.reason, headers: response.headers, local: false };
}

function localResponse(status: number, reason: string): SipFinalResponse {
  return { status, reason, headers: [], local: true };
}
