// A per-account request rate limit (fixed one-second windows, in memory, per instance). Over the limit the API
// answers 429 / 20429, which twilio-node's autoRetry understands.
export interface RateLimiter {
  /** True when the request may proceed. */
  admit(accountSid: string, now?: number): boolean;
}

export function createRateLimiter(options: { perSecond: number }): RateLimiter {
  const windows = new Map<string, { second: number; count: number }>();
  return {
    admit(accountSid, now = Date.now()) {
      const second = Math.floor(now / 1000);
      const current = windows.get(accountSid);
      if (!current || current.second !== second) {
        // Forget stale windows now and then so the map does not grow with every account ever seen.
        if (windows.size > 10_000) windows.clear();
        windows.set(accountSid, { second, count: 1 });
        return true;
      }
      current.count += 1;
      return current.count <= options.perSecond;
    },
  };
}
