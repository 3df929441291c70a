// Reconnect delays: exponential growth capped at maxDelayMs, with "equal jitter" (half fixed, half random) so a
// fleet of gateways restarted together does not reconnect to the SMSC in lockstep, yet never retries at once.

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Delay before reconnect attempt number `attempt` (0 = first retry after a failure). */
export function reconnectDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const exponential = options.initialDelayMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
