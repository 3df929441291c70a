// Retry delays: exponential growth with "full jitter" (a uniformly random delay between 0 and the exponential
// cap). Jitter spreads the retries of a burst that failed together, so they do not hit a recovering SMSC at once.

export interface BackoffPolicy {
  /** Delay cap of the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 = the first retry): random in [0, min(maxMs, baseMs·2^(attempt-1))].
 * `random` returns a number in [0, 1); injected so tests are deterministic.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * (backoffCeiling(policy, attempt) + 1));
}

/** The upper end of the jitter range for retry `attempt`, without randomness. */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}
