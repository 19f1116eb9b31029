export interface RateLimitSettings {
  requests: number;
  windowMs: number;
}

/** Loop's per-key limit as a sliding window: at most `requests` in any `windowMs`. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Records the call and says whether it is within the limit; refused calls do not count. */
  allow(key: string, limit: RateLimitSettings, now = Date.now()): boolean {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - limit.windowMs);
    const allowed = recent.length < limit.requests;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    return allowed;
  }

  reset(): void {
    this.hits.clear();
  }
}
