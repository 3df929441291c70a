// The SMPP side of our SMSC simulator (and of the SMPP tests), on `smpp.createServer`, listening on 127.0.0.1.
// It authenticates binds against a fixed account list, answers submit_sm with a generated message id (10-digit
// decimal like RestComm by default) after an `onSubmit` hook that may refuse it (e.g. 0x58 to throttle), pushes
// deliver_sm (MO or receipt) to bound sessions, and answers enquire_link and unbind. A peer that sends garbage
// (e.g. HTTP) only loses its own session: the framing error is logged and that socket destroyed.
import type { AddressInfo } from 'node:net';
import { ESME_RINVCMDID, ESME_RSYSERR, ESME_RINVPASWD, ESME_RINVSYSID } from './command-status.js';
import type { DeliverSmParams } from './deliver-builder.js';
import { silentLogger, type SmppLogger } from './logger.js';
import { PduChannel } from './pdu-channel.js';
import { createSmppServer, hasResponseCommand, stringField, numberField, type SmppPdu, type SmppServer, type SmppSession } from './smpp-lib.js';

const ESME_RINVBNDSTS = 0x04;
const ESME_RALYBND = 0x05;
const BIND_COMMANDS = new Set(['bind_transceiver', 'bind_transmitter', 'bind_receiver']);

export interface SmscAccount {
  systemId: string;
  password: string;
}

export interface SmscSubmit {
  session: SmscSession;
  pdu: SmppPdu;
  /** The id the submit_sm_resp will carry if the hook accepts the message. */
  messageId: string;
}

export interface SmscServerOptions {
  accounts: readonly SmscAccount[];
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** system_id in bind responses. */
  systemId?: string;
  nextMessageId?: () => string;
  /** Decides a submit's fate; a non-zero commandStatus refuses it. A throw answers ESME_RSYSERR. */
  onSubmit?: (submit: SmscSubmit) => Promise<{ commandStatus?: number } | void>;
  onBind?: (session: SmscSession) => void;
  /** Observes every request PDU a session receives (logging, metrics, simulator assertions). */
  onPdu?: (session: SmscSession, pdu: SmppPdu) => void;
  requestTimeoutMs?: number;
  logger?: SmppLogger;
}

export interface SmscSession {
  readonly id: number;
  readonly systemId: string | null;
  readonly interfaceVersion: number | null;
  isBound(): boolean;
  /** Sends a deliver_sm and resolves with the ESME's deliver_sm_resp command_status. */
  deliver(params: DeliverSmParams): Promise<number>;
  /** Sends enquire_link; resolves with the response's command_status. */
  enquireLink(): Promise<number>;
  /** Drops the TCP connection without unbinding (simulates a network failure). */
  destroy(): void;
  readonly closed: Promise<string>;
}

export interface SmscServer {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  sessions(): SmscSession[];
}

let sessionCounter = 0;

class Session implements SmscSession {
  readonly id = ++sessionCounter;
  systemId: string | null = null;
  interfaceVersion: number | null = null;
  private readonly channel: PduChannel;

  constructor(raw: SmppSession, private readonly server: Server) {
    this.channel = new PduChannel(raw, {
      requestTimeoutMs: server.options.requestTimeoutMs ?? 10_000,
      logger: server.log,
      onRequest: (pdu) => this.handle(pdu),
    });
  }

  get closed(): Promise<string> {
    return this.channel.closed;
  }

  isBound(): boolean {
    return this.systemId !== null && this.channel.isOpen;
  }

  async deliver(params: DeliverSmParams): Promise<number> {
    return (await this.channel.request('deliver_sm', { ...params })).command_status;
  }

  async enquireLink(): Promise<number> {
    return (await this.channel.request('enquire_link')).command_status;
  }

  destroy(): void {
    this.channel.destroy('destroyed by simulator');
  }

  private handle(pdu: SmppPdu): void {
    this.server.options.onPdu?.(this, pdu);
    if (BIND_COMMANDS.has(pdu.command)) return this.bind(pdu);
    if (this.channel.answerLinkRequest(pdu)) return;
    switch (pdu.command) {
      case 'submit_sm':
        if (this.systemId === null) return this.channel.respond(pdu, { command_status: ESME_RINVBNDSTS });
        void this.submit(pdu);
        return;
      default:
        this.server.log.warn({ command: pdu.command }, 'SMPP command not supported by the simulator');
        if (hasResponseCommand(pdu.command)) this.channel.respond(pdu, { command_status: ESME_RINVCMDID });
    }
  }

  private bind(pdu: SmppPdu): void {
    if (this.systemId !== null) return this.channel.respond(pdu, { command_status: ESME_RALYBND });
    const systemId = stringField(pdu, 'system_id');
    const account = this.server.options.accounts.find((each) => each.systemId === systemId);
    const status = !account ? ESME_RINVSYSID : account.password !== stringField(pdu, 'password') ? ESME_RINVPASWD : 0;
    if (status !== 0) {
      this.server.log.warn({ systemId, status }, 'SMPP bind refused');
      return this.channel.respond(pdu, { command_status: status });
    }
    this.systemId = systemId;
    this.interfaceVersion = numberField(pdu, 'interface_version');
    this.channel.respond(pdu, { system_id: this.server.options.systemId ?? 'smsc-sim' });
    this.server.log.info({ systemId, session: this.id }, 'SMPP session bound');
    this.server.options.onBind?.(this);
  }

  private async submit(pdu: SmppPdu): Promise<void> {
    const messageId = this.server.nextMessageId();
    let status = 0;
    try {
      status = (await this.server.options.onSubmit?.({ session: this, pdu, messageId }))?.commandStatus ?? 0;
    } catch (error) {
      this.server.log.error({ err: error }, 'onSubmit hook failed; answering ESME_RSYSERR');
      status = ESME_RSYSERR;
    }
    this.channel.respond(pdu, status === 0 ? { message_id: messageId } : { command_status: status });
  }
}

class Server implements SmscServer {
  readonly log: SmppLogger;
  private readonly raw: SmppServer;
  private readonly live = new Set<Session>();
  private counter = 0;

  constructor(readonly options: SmscServerOptions) {
    this.log = options.logger ?? silentLogger;
    this.raw = createSmppServer(options.tls ?? {}, (rawSession) => {
      const session = new Session(rawSession, this);
      this.live.add(session);
      void session.closed.then((reason) => {
        this.live.delete(session);
        this.log.info({ session: session.id, reason }, 'SMPP session closed');
      });
    });
  }

  nextMessageId(): string {
    return this.options.nextMessageId?.() ?? String(++this.counter).padStart(10, '0');
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.raw.once('error', reject);
      this.raw.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.raw.off('error', reject);
        this.raw.on('error', (error) => this.log.error({ err: error }, 'SMPP server error'));
        const address = this.raw.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  async close(): Promise<void> {
    for (const session of this.live) session.destroy();
    await new Promise<void>((resolve) => this.raw.close(() => resolve()));
  }

  sessions(): SmscSession[] {
    return [...this.live].filter((session) => session.isBound());
  }
}

export function createSmscServer(options: SmscServerOptions): SmscServer {
  return new Server(options);
}
