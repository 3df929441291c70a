// Typed failures of the ESME client. Every one says whether retrying the same submit can help, so the dispatcher
// never has to parse messages. `mayHaveBeenAccepted` marks the ambiguous cases (the PDU left us but no answer came
// back): a retry may duplicate the SMS, which is the usual SMPP trade-off.
import { classifyCommandStatus, type ClassifyOptions } from './command-status.js';

export abstract class SmppError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly mayHaveBeenAccepted: boolean = false;
}

/** The SMSC answered with a non-zero command_status. */
export class SmppCommandError extends SmppError {
  readonly code = 'SMPP_COMMAND_STATUS';
  readonly commandStatus: number;
  /** The SMPP status name, e.g. ESME_RTHROTTLED (deliberately replaces Error.name). */
  override readonly name: string;
  readonly retryable: boolean;
  readonly twilioErrorCode: number | null;

  constructor(options: { command: string; commandStatus: number; classify?: ClassifyOptions }) {
    const info = classifyCommandStatus(options.commandStatus, options.classify);
    super(`${options.command} rejected with ${info.name} (0x${info.commandStatus.toString(16).padStart(2, '0')})`);
    this.commandStatus = info.commandStatus;
    this.name = info.name;
    this.retryable = info.retryable;
    this.twilioErrorCode = info.twilioErrorCode;
  }
}

/** No response arrived within the per-request timeout; the request was sent, so it may have been accepted. */
export class SmppTimeoutError extends SmppError {
  readonly code = 'SMPP_RESPONSE_TIMEOUT';
  readonly retryable = true;
  override readonly mayHaveBeenAccepted = true;
  override readonly name = 'SmppTimeoutError';

  constructor(readonly command: string, readonly timeoutMs: number) {
    super(`no ${command}_resp within ${timeoutMs} ms`);
  }
}

/** The request waited in our queue (never sent) longer than allowed, e.g. while the link was down. */
export class SmppQueueTimeoutError extends SmppError {
  readonly code = 'SMPP_QUEUE_TIMEOUT';
  readonly retryable = true;
  override readonly name = 'SmppQueueTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`submit not sent within ${timeoutMs} ms (no bound SMPP session or window full)`);
  }
}

/** The connection closed or failed while the request was outstanding (or it could not be written). */
export class SmppConnectionError extends SmppError {
  readonly code = 'SMPP_CONNECTION_LOST';
  readonly retryable = true;
  override readonly name = 'SmppConnectionError';
  override readonly mayHaveBeenAccepted: boolean;

  constructor(options: { reason: string; sent: boolean }) {
    super(`SMPP connection lost: ${options.reason}`);
    this.mayHaveBeenAccepted = options.sent;
  }
}

/** The client was stopped; queued requests are rejected with this. */
export class SmppClientStoppedError extends SmppError {
  readonly code = 'SMPP_CLIENT_STOPPED';
  readonly retryable = true;
  override readonly name = 'SmppClientStoppedError';

  constructor() {
    super('SMPP client stopped');
  }
}
