// The logging surface the SMPP adapters need; a pino logger satisfies it. Full PDUs are logged at debug only.

export interface SmppLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** For callers (and tests) that do not want output; errors are still surfaced through promises and events. */
export const silentLogger: SmppLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
