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

/** Called once per new request with its bytes as received; `reply` may be called later, or never (silence). */
export type RequestListener = (request: IncomingSipMessage, reply: (answer: SipReply) => void, bytes: Buffer) => void;

export interface SipEndpointOptions {
  listen: SipListenAddress[];
  timers: SipTimers;
  logger: Logger;
  onRequest: RequestListener;
}

/**
 * What a request's server entry keeps for 64*T1 (32 s): the cached answer and where it goes, as plain values.
 * Not the parsed Via or the source: their strings are views of the request's whole header text, which would
 * then stay in memory (and in every garbage collection's work) for as long as the entry.
 */
interface ServerEntry {
  response: Buffer | null;
  transport: 'udp' | 'tcp';
  target: { address: string; port: number };
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
    else this.onRequestBytes(message, via, source, data);
  }

  private onResponse(response: SipResponse, via: Via): void {
    const client = via.params.branch === undefined ? undefined : this.clients.get(via.params.branch);
    if (!client) return;
    client.transaction.receive(response);
    // Timer K only absorbs retransmissions of this final response; a response whose branch is unknown is
    // absorbed just the same (above), so the transaction ends now instead of living on for T4 (5 s).
    if (response.status >= 200) client.transaction.abort();
  }

  private onRequestBytes(request: SipRequest, via: Via, source: TransportSource, bytes: Buffer): void {
    if (request.method === 'ACK') return;
    const key = detached(`${via.params.branch ?? ''}|${via.host}:${via.port ?? ''}|${request.method}`);
    const existing = this.servers.get(key);
    if (existing && existing.expiresAt > Date.now()) {
      // A retransmission: answered again from cache, or absorbed while we are (perhaps forever) silent.
      if (existing.response) this.transmit(existing.response, existing.transport, existing.target);
      return;
    }
    const lifetime = 64 * this.options.timers.t1Ms;
    const entry: ServerEntry = { response: null, transport: source.transport, target: responseTarget(source, via), expiresAt: Date.now() + lifetime };
    this.servers.set(key, entry);
    const toTag = newTag();
    let answered = false;
    const reply = (answer: SipReply): void => {
      if (answered) return;
      answered = true;
      entry.response = serializeResponse(buildResponse(request.headers, { ...answer, toTag, source }));
      entry.expiresAt = Date.now() + lifetime;
      this.transmit(entry.response, entry.transport, entry.target);
    };
    this.options.onRequest(toIncomingMessage(request, source), reply, bytes);
  }

  private transmit(bytes: Buffer, transport: 'udp' | 'tcp', target: { address: string; port: number }): void {
    const bound = this.bound.find((b) => b.address.transport === transport);
    if (!bound) return;
    bound.transport.send(bytes, target).catch((error: Error) => {
      this.options.logger.warn({ err: error, target }, 'Simulator could not send a SIP response');
    });
  }
}

/** RFC 3261 §18.2.2 with RFC 3581: TCP on the same connection; UDP to the source address and Via port. */
function responseTarget(source: TransportSource, via: Via): { address: string; port: number } {
  const port = source.transport === 'tcp' || via.params.rport !== undefined ? source.port : (via.port ?? 5060);
  return { address: source.address, port };
}

/** A copy of `text` made of its own characters, not a view of the header text it was cut from. */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
