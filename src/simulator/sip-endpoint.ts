// The simulator's SIP socket layer. It is built from the native adapter's parts (transports, parser, serializer,
// client transaction, response builder) rather than on the SipPort, because the SMSC's wire behaviour is not
// what a well-behaved port offers: its requests carry no From tag and `CSeq: 2`, and it sometimes sends NO
// response at all. Requests are handed up once (retransmissions are absorbed, or answered again from cache).
import type { Logger } from 'pino';
import type { IncomingSipMessage, SipFinalResponse, SipListenAddress, SipReply } from '../sip/port.js';
import { ClientTransaction } from '../sip/native/client-transaction.js';
import { toIncomingMessage } from '../sip/native/inbound-requests.js';
import { parseSipMessage } from '../sip/native/parser.js';
import { buildResponse } from '../sip/native/response-builder.js';
import { serializeRequest, serializeResponse } from '../sip/native/serializer.js';
import { getHeaderValues, type SipRequest, type SipResponse, type SipTimers } from '../sip/native/sip-message.js';
import { formatHost } from '../sip/native/sip-uri.js';
import { createTcpTransport, createUdpTransport, type SipTransport, type TransportSource } from '../sip/native/transports.js';
import { parseTopVia, type Via } from '../sip/native/via.js';
import { pooledBranch as newBranch, pooledCallId as newCallId, pooledTag as newTag } from './pooled-ids.js';
import type { ServiceTarget } from './smsc-request.js';

/** Called once per new request; `reply` may be called later, or never (silence). */
export type RequestListener = (request: IncomingSipMessage, reply: (answer: SipReply) => void) => void;

export interface SipEndpointOptions {
  listen: SipListenAddress[];
  timers: SipTimers;
  logger: Logger;
  onRequest: RequestListener;
}

interface ServerEntry {
  response: Buffer | null;
  source: TransportSource;
  via: Via;
  /** When the entry may be forgotten (64*T1 after it was created, then after it was answered). */
  expiresAt: number;
}

/** How often forgotten server entries are swept: one timer for all of them instead of two per request. */
const SWEEP_MS = 1000;

interface ClientEntry {
  transaction: ClientTransaction;
  settle: (response: SipFinalResponse) => void;
}

export class SipEndpoint {
  private bound: Array<{ transport: SipTransport; address: SipListenAddress }> = [];
  private readonly servers = new Map<string, ServerEntry>();
  private readonly clients = new Map<string, ClientEntry>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: SipEndpointOptions) {}

  async start(): Promise<void> {
    const onBytes = (data: Buffer, source: TransportSource): void => this.onBytes(data, source);
    try {
      for (const listen of this.options.listen) {
        const factory = listen.transport === 'udp' ? createUdpTransport : createTcpTransport;
        const transport = factory({ listen, onBytes, logger: this.options.logger });
        this.bound.push({ transport, address: await transport.start() });
      }
      this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
      this.sweeper.unref();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    for (const client of [...this.clients.values()]) {
      client.transaction.abort();
      client.settle({ status: 503, reason: 'Service Unavailable', headers: [], local: true });
    }
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.servers.clear();
    const bound = this.bound;
    this.bound = [];
    await Promise.all(bound.map(({ transport }) => transport.stop()));
  }

  boundAddresses(): SipListenAddress[] {
    return this.bound.map(({ address }) => ({ ...address }));
  }

  /** The listening point used to reach `service` (the first one with the same transport). */
  localFor(service: ServiceTarget): SipListenAddress {
    const local = this.bound.find((b) => b.address.transport === service.transport);
    if (!local) throw new Error(`The simulator has no ${service.transport.toUpperCase()} listener to reach the service`);
    return { ...local.address };
  }

  /** Sends a request built for our listening point; resolves with the final response or a local 408/503. */
  send(options: {
    service: ServiceTarget;
    build: (ids: { local: SipListenAddress; branch: string; callId: string }) => Omit<SipRequest, 'kind'>;
  }): Promise<SipFinalResponse> {
    const local = this.localFor(options.service);
    const transport = this.bound.find((b) => b.address.transport === options.service.transport)!.transport;
    const branch = newBranch();
    const bytes = serializeRequest(options.build({ local, branch, callId: newCallId(formatHost(local.host)) }));
    const target = { address: options.service.host, port: options.service.port };
    return new Promise((resolve) => {
      let settled = false;
      const settle = (response: SipFinalResponse): void => {
        if (settled) return;
        settled = true;
        resolve(response);
      };
      const transaction = new ClientTransaction({
        reliable: options.service.transport === 'tcp',
        timers: this.options.timers,
        transmit: () => {
          transport.send(bytes, target).catch((error: Error) => {
            this.options.logger.warn({ err: error, target }, 'Simulator could not send a SIP request');
            transaction.abort();
            settle({ status: 503, reason: 'Service Unavailable', headers: [], local: true });
          });
        },
        onFinal: (response) =>
          settle(
            response
              ? { status: response.status, reason: response.reason, headers: response.headers, local: false }
              : { status: 408, reason: 'Request Timeout', headers: [], local: true },
          ),
        onTerminated: () => this.clients.delete(branch),
      });
      this.clients.set(branch, { transaction, settle });
      transaction.start();
    });
  }

  /** Forgets the server entries whose lifetime is over (they still answer retransmissions until then). */
  private sweep(): void {
    const now = Date.now();
    // Map order is insertion order, not expiry order (answers extend the lifetime): look at every entry.
    for (const [key, entry] of this.servers) if (entry.expiresAt <= now) this.servers.delete(key);
  }

  private onBytes(data: Buffer, source: TransportSource): void {
    let message;
    let via: Via;
    try {
      message = parseSipMessage(data);
      via = parseTopVia(getHeaderValues(message.headers, 'via'));
    } catch (error) {
      this.options.logger.warn({ err: error, source }, 'Simulator dropped an unparsable SIP message');
      return;
    }
    if (message.kind === 'response') this.onResponse(message, via);
    else this.onRequestBytes(message, via, source);
  }

  private onResponse(response: SipResponse, via: Via): void {
    const client = via.params.branch === undefined ? undefined : this.clients.get(via.params.branch);
    if (!client) return;
    client.transaction.receive(response);
  }

  private onRequestBytes(request: SipRequest, via: Via, source: TransportSource): void {
    if (request.method === 'ACK') return;
    const key = `${via.params.branch ?? ''}|${via.host}:${via.port ?? ''}|${request.method}`;
    const existing = this.servers.get(key);
    if (existing && existing.expiresAt > Date.now()) {
      // A retransmission: answered again from cache, or absorbed while we are (perhaps forever) silent.
      if (existing.response) this.transmit(existing.response, existing.source, existing.via);
      return;
    }
    const lifetime = 64 * this.options.timers.t1Ms;
    const entry: ServerEntry = { response: null, source, via, expiresAt: Date.now() + lifetime };
    this.servers.set(key, entry);
    const toTag = newTag();
    let answered = false;
    const reply = (answer: SipReply): void => {
      if (answered) return;
      answered = true;
      entry.response = serializeResponse(buildResponse(request.headers, { ...answer, toTag, source }));
      entry.expiresAt = Date.now() + lifetime;
      this.transmit(entry.response, source, via);
    };
    this.options.onRequest(toIncomingMessage(request, source), reply);
  }

  /** RFC 3261 §18.2.2 with RFC 3581: TCP on the same connection; UDP to the source address and Via port. */
  private transmit(bytes: Buffer, source: TransportSource, via: Via): void {
    const bound = this.bound.find((b) => b.address.transport === source.transport);
    if (!bound) return;
    const port = source.transport === 'tcp' || via.params.rport !== undefined ? source.port : (via.port ?? 5060);
    bound.transport.send(bytes, { address: source.address, port }).catch((error: Error) => {
      this.options.logger.warn({ err: error, source }, 'Simulator could not send a SIP response');
    });
  }
}
