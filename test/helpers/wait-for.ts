// Polling for integration tests: wait until something has happened, with a timeout that is only a cap (never a
// speed assertion). One implementation for every area; each area's helpers re-export it.

export interface WaitForOptions {
  /** Give up (and fail with `what`) after this long; default 5 s. */
  timeoutMs?: number;
  /** Pause between probes; default 10 ms. */
  intervalMs?: number;
}

/** Polls `probe` until it returns something other than undefined/false, and resolves with that value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
}

/** `waitFor` with other defaults, for an area whose waits are slower by nature (database work, child processes). */
export function waitForWith(defaults: WaitForOptions): typeof waitFor {
  return (what, probe, options = {}) => waitFor(what, probe, { ...defaults, ...options });
}
