// One ESME connection: one `smpp` Session, bound as a transceiver, until it dies. It is never reused:
// reconnecting means opening a new EsmeConnection (spec §2.2: `session.connect()` stalls on Node 20).
// On top of PduChannel it binds (interface_version 0x34), answers enquire_link and unbind, answers unknown
// commands with generic_nack, and sends its own enquire_link with a response timer so a silent peer is
// detected and the link destroyed.
import type { ConnectionOptions } from 'node:tls';
import { SmppCommandError, SmppConnectionError, SmppTimeoutError } from './errors.js';
import type { SmppLogger } from './logger.js';
import { PduChannel } from './pdu-channel.js';
import { connectSession, type SmppPdu } from './smpp-lib.js';

export type EsmeTlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

export interface EsmeConnectionOptions {
  host: string;
  port: number;
  tls?: boolean | EsmeTlsOptions;
  systemId: string;
  password: string;
  systemType?: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  enquireLinkIntervalMs: number;
  logger: SmppLogger;
  /** Requests from the SMSC other than enquire_link/unbind (deliver_sm, ...). The handler must answer them. */
  onRequest: (connection: EsmeConnection, pdu: SmppPdu) => void;
}

export class EsmeConnection {
  private readonly channel: PduChannel;
  private enquireTimer: NodeJS.Timeout | null = null;
  private enquirePending = false;

  private constructor(private readonly options: EsmeConnectionOptions) {
    const tls = options.tls === true ? {} : options.tls || undefined;
    const session = connectSession({ host: options.host, port: options.port, ...(tls ? { tls: true, ...tls } : {}) });
    this.channel = new PduChannel(session, {
      requestTimeoutMs: options.requestTimeoutMs,
      logger: options.logger,
      onRequest: (pdu) => this.handleRequest(pdu),
    });
    void this.channel.closed.then(() => this.stopEnquireLink());
  }

  /** Connects and binds. Rejects with SmppCommandError on a bind refusal, SmppConnectionError on network failure. */
  static async open(options: EsmeConnectionOptions): Promise<EsmeConnection> {
    const connection = new EsmeConnection(options);
    await connection.waitConnected(Boolean(options.tls));
    const response = await connection.channel.request('bind_transceiver', {
      system_id: options.systemId,
      password: options.password,
      system_type: options.systemType ?? '',
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    if (response.command_status !== 0) {
      connection.channel.destroy('bind rejected');
      throw new SmppCommandError({ command: 'bind_transceiver', commandStatus: response.command_status });
    }
    connection.enquireTimer = setInterval(() => connection.sendEnquireLink(), options.enquireLinkIntervalMs);
    return connection;
  }

  /** Resolves with the reason once the connection is gone (never rejects). */
  get closed(): Promise<string> {
    return this.channel.closed;
  }

  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  request(command: string, params: Record<string, unknown> = {}): Promise<SmppPdu> {
    return this.channel.request(command, params);
  }

  respond(request: SmppPdu, params: Record<string, unknown> = {}): void {
    this.channel.respond(request, params);
  }

  destroy(reason: string): void {
    this.channel.destroy(reason);
  }

  /** Graceful close: unbind (bounded by timeoutMs), then end the socket. */
  async unbindAndClose(timeoutMs: number): Promise<void> {
    if (!this.channel.isOpen) return;
    this.stopEnquireLink();
    await this.channel.request('unbind', {}, timeoutMs).catch(() => undefined);
    const timer = setTimeout(() => this.channel.session.destroy(), timeoutMs);
    this.channel.end('unbound by us');
    const socket = this.channel.session.socket;
    if (!socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearTimeout(timer);
  }

  private waitConnected(useTls: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.channel.destroy('connect timeout'), this.options.connectTimeoutMs);
      this.channel.session.once(useTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      void this.channel.closed.then((reason) => {
        clearTimeout(timer);
        reject(new SmppConnectionError({ reason: `connect to ${this.options.host}:${this.options.port}: ${reason}`, sent: false }));
      });
    });
  }

  private handleRequest(pdu: SmppPdu): void {
    if (!this.channel.answerLinkRequest(pdu)) this.options.onRequest(this, pdu);
  }

  private sendEnquireLink(): void {
    if (this.enquirePending) return;
    this.enquirePending = true;
    this.channel.request('enquire_link').then(
      () => (this.enquirePending = false),
      (error: unknown) => {
        this.enquirePending = false;
        if (error instanceof SmppTimeoutError) this.channel.destroy('no enquire_link_resp: link considered dead');
      },
    );
  }

  private stopEnquireLink(): void {
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = null;
  }
}
