// Warnings about traffic we refuse, at most one line per reason per interval: a flood of refused connections or
// datagrams must be counted and logged ("never fail silently") without turning into a flood of log lines.
import type { Logger } from 'pino';

export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs at warn unless `reason` was logged less than the interval ago; the next line says how many were skipped. */
  warn(reason: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const entry = this.last.get(reason);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    this.logger.warn({ ...fields, ...(entry?.suppressed ? { suppressed: entry.suppressed } : {}) }, message);
    this.last.set(reason, { at: now, suppressed: 0 });
  }
}
