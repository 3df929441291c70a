/**
 * Twilio's codes for a webhook that could not be fetched (spec twilio-messages-api.md §6.3; Twilio error
 * dictionary), and the mapping from node:http / node:net / node:tls errors onto them. Pure.
 */
export const WEBHOOK_ERROR_CODES = {
  /** HTTP retrieval failure: timeout, abort, or anything not more specific below. */
  retrievalFailure: 11200,
  /** HTTP connection failure: refused, reset, unreachable, connect timeout. */
  connectionFailure: 11205,
  /** HTTP protocol violation: the answer is not valid HTTP. */
  protocolViolation: 11206,
  /** HTTP bad host name: DNS failure, or a host our URL policy refuses. */
  badHost: 11210,
  /** HTTP too many redirects. */
  tooManyRedirects: 11215,
  /** HTTP error response code: the server answered 4xx or 5xx. */
  errorResponse: 11217,
  /** SSL/TLS handshake error. */
  tlsHandshake: 11220,
  /** Certificate invalid: domain mismatch. */
  certificateDomainMismatch: 11235,
  /** Certificate invalid: expired. */
  certificateExpired: 11236,
  /** Certificate invalid: could not find path to certificate (untrusted, self-signed). */
  certificateUntrusted: 11237,
} as const;

export interface WebhookFailure {
  errorCode: number;
  error: string;
  /** Set when the URL policy refused the call: a retry would be refused again (url-policy.ts). */
  refused?: boolean;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EPIPE',
  'ETIMEDOUT', 'EADDRNOTAVAIL',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function tlsErrorCode(code: string): number | undefined {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return WEBHOOK_ERROR_CODES.certificateDomainMismatch;
  if (code === 'CERT_HAS_EXPIRED') return WEBHOOK_ERROR_CODES.certificateExpired;
  if (code.startsWith('CERT_') || code.includes('CERT') || code.includes('SIGNATURE')) {
    return WEBHOOK_ERROR_CODES.certificateUntrusted;
  }
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return WEBHOOK_ERROR_CODES.tlsHandshake;
  }
  return undefined;
}

/** The whole call took longer than its timeout (redirects and body included). */
export function timedOut(timeoutMs: number): WebhookFailure {
  return { errorCode: WEBHOOK_ERROR_CODES.retrievalFailure, error: `Timed out after ${timeoutMs} ms` };
}

/** The caller aborted the call (shutdown). */
export const ABORTED: WebhookFailure = Object.freeze({ errorCode: WEBHOOK_ERROR_CODES.retrievalFailure, error: 'Request aborted' });

/**
 * Maps an error of one HTTP exchange (connecting, TLS, sending, parsing the answer, reading its body) to a Twilio
 * code and a one-line reason. Node puts the code on the error itself (`ECONNREFUSED`, `HPE_INVALID_CONSTANT`,
 * `CERT_HAS_EXPIRED` ...); when every address of a host was tried (Happy Eyeballs) it throws an AggregateError
 * whose `errors` hold one per address.
 */
export function classifyHttpError(error: unknown): WebhookFailure {
  const nested = (error as { errors?: unknown[] } | null)?.errors?.[0];
  const code = errorCodeOf(error) ?? errorCodeOf(nested) ?? '';
  const detail = messageOf(error) || messageOf(nested) || code;
  const message = code !== '' && !detail.includes(code) ? `${code}: ${detail}` : detail;
  if (CONNECTION_CODES.has(code)) return { errorCode: WEBHOOK_ERROR_CODES.connectionFailure, error: message };
  if (DNS_CODES.has(code)) return { errorCode: WEBHOOK_ERROR_CODES.badHost, error: message };
  if (code.startsWith('HPE_')) return { errorCode: WEBHOOK_ERROR_CODES.protocolViolation, error: message };
  const tls = tlsErrorCode(code);
  if (tls !== undefined) return { errorCode: tls, error: message };
  return { errorCode: WEBHOOK_ERROR_CODES.retrievalFailure, error: message || 'HTTP retrieval failure' };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined || error === null ? '' : String(error);
}
