// The ESME client: keeps one bound transceiver session to the SMSC alive and pushes submits through it.
//
// - Reconnects by opening a brand-new session (EsmeConnection) with exponential backoff and jitter.
// - A window caps outstanding submit_sm; further submits wait in a FIFO queue (bounded by queueTimeoutMs).
// - Each submit has a response timeout; when the link dies every outstanding submit fails at once
//   (SmppConnectionError), while queued ones, never sent, wait for the next session.
// - THROTTLED / MSGQFUL reject that submit (retryable) and pause the window for throttlePauseMs.
// - deliver_sm is acknowledged only after the handler's promise resolves (durable before ack); a failing handler
//   is answered with ESME_RX_T_APPN so the SMSC delivers it again later.
import { reconnectDelayMs } from './backoff.js';
import { ESME_RINVCMDID, ESME_RMSGQFUL, ESME_RTHROTTLED, ESME_RX_T_APPN, isCredentialRejection, type ClassifyOptions } from './command-status.js';
import { parseDeliverSm, type DeliverSm, type DeliverParseOptions } from './deliver-parser.js';
import { EsmeConnection, type EsmeTlsOptions } from './esme-connection.js';
import { SmppClientStoppedError, SmppCommandError, SmppQueueTimeoutError } from './errors.js';
import { silentLogger, type SmppLogger } from './logger.js';
import { hasResponseCommand, stringField, type SmppPdu } from './smpp-lib.js';
import type { SubmitSmParams } from './submit-builder.js';

export interface EsmeClientOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  tls?: boolean | EsmeTlsOptions;
  /** Maximum outstanding submit_sm (default 10). */
  windowSize?: number;
  /** Response timeout per request, also used for enquire_link (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** How long a submit may wait for a bound session and a window slot (default 60 000 ms). */
  queueTimeoutMs?: number;
  enquireLinkIntervalMs?: number;
  connectTimeoutMs?: number;
  /** Pause after THROTTLED / MSGQFUL (default 1 000 ms). */
  throttlePauseMs?: number;
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  /** Per-SMSC retry classification of ambiguous command_status values. */
  classify?: ClassifyOptions;
  /** How this SMSC decodes received text (see deliver-parser.ts). */
  deliver?: DeliverParseOptions;
  logger?: SmppLogger;
  random?: () => number;
}

export type DeliverHandler = (deliver: DeliverSm) => Promise<void>;

export interface EsmeClient {
  /** Resolves at the first successful bind; rejects if the SMSC refuses the credentials, or on stop(). */
  start(): Promise<void>;
  /** Rejects queued submits, lets outstanding ones and deliver handlers settle, unbinds. */
  stop(): Promise<void>;
  isBound(): boolean;
  submit(pdu: SubmitSmParams): Promise<{ messageId: string }>;
  onDeliver(handler: DeliverHandler): void;
}

interface Queued {
  params: SubmitSmParams;
  resolve: (value: { messageId: string }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class Esme implements EsmeClient {
  private readonly log: SmppLogger;
  private readonly windowSize: number;
  private readonly requestTimeoutMs: number;
  private running = false;
  private everBound = false;
  private connection: EsmeConnection | null = null;
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private pumpTimer: NodeJS.Timeout | null = null;
  private handler: DeliverHandler | null = null;
  private readonly handlersRunning = new Set<Promise<void>>();
  private idle: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private firstBind: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly options: EsmeClientOptions) {
    this.log = options.logger ?? silentLogger;
    this.windowSize = options.windowSize ?? 10;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  start(): Promise<void> {
    if (this.running || this.loop) return Promise.reject(new Error('SMPP client already started'));
    this.running = true;
    const bound = new Promise<void>((resolve, reject) => (this.firstBind = { resolve, reject }));
    this.loop = this.connectLoop();
    return bound;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.firstBind?.reject(new SmppClientStoppedError());
    this.firstBind = null;
    for (const item of this.queue.splice(0)) {
      clearTimeout(item.timer);
      item.reject(new SmppClientStoppedError());
    }
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await Promise.allSettled([...this.handlersRunning]);
    await this.connection?.unbindAndClose(this.requestTimeoutMs);
    await this.loop;
    this.loop = null;
  }

  isBound(): boolean {
    return this.connection?.isOpen ?? false;
  }

  onDeliver(handler: DeliverHandler): void {
    this.handler = handler;
  }

  submit(params: SubmitSmParams): Promise<{ messageId: string }> {
    if (!this.running) return Promise.reject(new SmppClientStoppedError());
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.queueTimeoutMs ?? 60_000;
      const item: Queued = {
        params, resolve, reject,
        timer: setTimeout(() => {
          const index = this.queue.indexOf(item);
          if (index === -1) return; // already sent
          this.queue.splice(index, 1);
          reject(new SmppQueueTimeoutError(timeoutMs));
        }, timeoutMs),
      };
      this.queue.push(item);
      this.pump();
    });
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        const connection = await this.openConnection();
        attempt = 0;
        await this.useConnection(connection);
      } catch (error) {
        if (this.isFatalBindError(error)) return this.failStart(error as Error);
        this.log.warn({ err: error, attempt }, 'SMPP connect/bind failed');
      }
      if (!this.running) return;
      const delayMs = reconnectDelayMs(attempt++, { ...this.reconnectOptions(), random: this.options.random });
      this.log.info({ delayMs, attempt }, 'SMPP reconnect scheduled');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = null;
    }
  }

  private reconnectOptions(): { initialDelayMs: number; maxDelayMs: number } {
    return this.options.reconnect ?? { initialDelayMs: 1_000, maxDelayMs: 60_000 };
  }

  private openConnection(): Promise<EsmeConnection> {
    const o = this.options;
    return EsmeConnection.open({
      host: o.host, port: o.port, tls: o.tls, systemId: o.systemId, password: o.password, systemType: o.systemType,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: this.requestTimeoutMs,
      enquireLinkIntervalMs: o.enquireLinkIntervalMs ?? 30_000,
      logger: this.log,
      onRequest: (connection, pdu) => this.handleRequest(connection, pdu),
    });
  }

  private async useConnection(connection: EsmeConnection): Promise<void> {
    if (!this.running) return connection.unbindAndClose(this.requestTimeoutMs);
    this.connection = connection;
    this.everBound = true;
    this.log.info({ host: this.options.host, port: this.options.port }, 'SMPP session bound');
    this.firstBind?.resolve();
    this.firstBind = null;
    this.pump();
    const reason = await connection.closed;
    this.connection = null;
    if (this.running) this.log.warn({ reason }, 'SMPP session lost');
  }

  private isFatalBindError(error: unknown): boolean {
    return !this.everBound && error instanceof SmppCommandError && isCredentialRejection(error.commandStatus);
  }

  private failStart(error: Error): void {
    this.log.error({ err: error }, 'SMPP bind refused; giving up');
    this.running = false;
    this.firstBind?.reject(error);
    this.firstBind = null;
    for (const item of this.queue.splice(0)) {
      clearTimeout(item.timer);
      item.reject(error);
    }
  }

  private pump(): void {
    const connection = this.connection;
    while (connection?.isOpen && this.running && this.inFlight < this.windowSize && this.queue.length > 0) {
      const waitMs = this.pausedUntil - Date.now();
      if (waitMs > 0) {
        this.pumpTimer ??= setTimeout(() => ((this.pumpTimer = null), this.pump()), waitMs);
        return;
      }
      const item = this.queue.shift() as Queued;
      clearTimeout(item.timer);
      this.inFlight++;
      this.send(connection, item).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
        this.pump();
      });
    }
  }

  private async send(connection: EsmeConnection, item: Queued): Promise<void> {
    try {
      const response = await connection.request('submit_sm', { ...item.params });
      const status = response.command_status;
      if (status === 0) return item.resolve({ messageId: stringField(response, 'message_id') });
      if (status === ESME_RTHROTTLED || status === ESME_RMSGQFUL) {
        this.pausedUntil = Date.now() + (this.options.throttlePauseMs ?? 1_000);
      }
      item.reject(new SmppCommandError({ command: 'submit_sm', commandStatus: status, classify: this.options.classify }));
    } catch (error) {
      item.reject(error as Error);
    }
  }

  private handleRequest(connection: EsmeConnection, pdu: SmppPdu): void {
    if (pdu.command !== 'deliver_sm') {
      this.log.warn({ command: pdu.command }, 'unsupported SMPP request from SMSC');
      if (hasResponseCommand(pdu.command)) connection.respond(pdu, { command_status: ESME_RINVCMDID });
      return;
    }
    const running = this.deliver(connection, pdu);
    this.handlersRunning.add(running);
    void running.finally(() => this.handlersRunning.delete(running));
  }

  private async deliver(connection: EsmeConnection, pdu: SmppPdu): Promise<void> {
    try {
      if (!this.handler) throw new Error('no deliver_sm handler registered');
      await this.handler(parseDeliverSm(pdu, this.options.deliver));
      connection.respond(pdu, { message_id: '' });
    } catch (error) {
      this.log.error({ err: error, seq: pdu.sequence_number }, 'deliver_sm not accepted; answering ESME_RX_T_APPN');
      connection.respond(pdu, { command_status: ESME_RX_T_APPN });
    }
  }
}

export function createEsmeClient(options: EsmeClientOptions): EsmeClient {
  return new Esme(options);
}
