export interface RateLimitSettings {
  requests: number;
  windowMs: number;
}

/** A refused call: the limit it would exceed, and when a call is next allowed (wall-clock epoch ms). */
export interface RateLimitRefusal {
  limit: RateLimitSettings;
  resetAtMs: number;
}

/** An API's per-key limits, each a sliding window: at most `requests` in any `windowMs`. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /**
   * Counts the call against every given key's limit, or, when it would exceed any of them, against none
   * and answers the first one it would exceed.
   */
  take(limits: { key: string; limit: RateLimitSettings }[], now = Date.now()): RateLimitRefusal | undefined {
    const windows = limits.map(({ key, limit }) => {
      const recent = (this.hits.get(key) ?? []).filter((at) => at > now - limit.windowMs);
      this.hits.set(key, recent);
      return { limit, recent };
    });
    for (const { limit, recent } of windows) {
      if (recent.length >= limit.requests) {
        // The call that must leave the window before one more fits.
        return { limit, resetAtMs: recent[recent.length - limit.requests]! + limit.windowMs };
      }
    }
    for (const { recent } of windows) recent.push(now);
    return undefined;
  }

  /** Records the call and says whether it is within the key's limit; refused calls do not count. */
  allow(key: string, limit: RateLimitSettings, now = Date.now()): boolean {
    return this.take([{ key, limit }], now) === undefined;
  }

  reset(): void {
    this.hits.clear();
  }
}
