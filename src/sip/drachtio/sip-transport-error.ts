// The one error type the drachtio adapter throws or rejects with. `code` is stable and meant for branching;
// the message is for humans and logs.

export type SipTransportErrorCode =
  /** `request()` before `start()` or after `stop()`. */
  | 'NOT_STARTED'
  /** No authenticated control connection to drachtio-server right now; nothing was sent. */
  | 'NOT_CONNECTED'
  /** drachtio-server refused to send the request (a NOK frame, e.g. an unparseable Request-URI). */
  | 'REQUEST_REJECTED'
  /** The body holds a NUL byte or invalid UTF-8, which the drachtio control protocol cannot carry (spec D9). */
  | 'BODY_NOT_TEXT'
  /** drachtio-server answered `authenticate` with NOK: the shared secret is wrong. */
  | 'AUTH_FAILED'
  /** `start()` gave up waiting for the first authenticated connection. */
  | 'CONNECT_TIMEOUT'
  /** The adapter options (URL, secret, reconnect bounds) are unusable. */
  | 'INVALID_CONFIG';

export class SipTransportError extends Error {
  override readonly name = 'SipTransportError';
  readonly code: SipTransportErrorCode;

  constructor(code: SipTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
