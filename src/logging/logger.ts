// The process logger: pino, JSON lines on stdout, with credentials redacted wherever they appear in a log object.
// Each adapter takes a child logger (`componentLogger(logger, 'sip')`) so every line says where it came from.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/index.js';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]". Request logs carry headers (Authorization, the webhook signature); domain
 * objects carry tokens and secrets. Wildcards cover one nesting level, so both `{authToken}` and
 * `{account: {authToken}}` are caught.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'headers.authorization',
  'headers["x-twilio-signature"]',
  ...['authToken', 'auth_token', 'password', 'secret', 'secretHash', 'token', 'databaseUrl'].flatMap((key) => [
    key,
    `*.${key}`,
  ]),
];

export interface CreateLoggerOptions {
  level: LogLevel;
  /**
   * Where lines go: a stream (tests read them back), or a file descriptor. Default 1 (stdout); CLI commands whose
   * stdout is their result (JSON) log to 2.
   */
  destination?: DestinationStream | 1 | 2;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'smsc-connect' },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    typeof options.destination === 'object'
      ? options.destination
      : pino.destination({ fd: options.destination ?? 1, sync: true }),
  );
}

/** A child logger whose lines carry `component`, e.g. `sip`, `dispatch`, `webhooks`. */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}
