import { endpointMatches } from './faults.ts';

export interface CallSnapshot {
  total: number;
  /** Keyed by endpoint label, e.g. `GET /:account/api/order/:id` or `POST /warehouse/return/:id/close`. */
  byEndpoint: Record<string, number>;
  /** Keyed by the API version in the path (`v1`, `2026-07`, …); empty for an unversioned API. */
  byVersion: Record<string, number>;
}

/** The calls a simulator answered 429, whether its own limit refused them or a fault did. */
export interface RateLimitedSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
}

/** Call times are kept this long: the longest window an API budgets over (Finale's collection reads: an hour). */
export const CALL_TIMES_KEPT_MS = 3_600_000;

/**
 * Counts every API call a simulator receives, faulted and refused ones included, so tests can assert on API
 * cost; and keeps each call's time, so they can assert on rate (the most calls in any sliding window).
 */
export class CallCounter {
  private readonly byEndpoint = new Map<string, number>();
  private readonly byVersion = new Map<string, number>();
  private readonly rateLimitedByEndpoint = new Map<string, number>();
  /** In arrival order; entries older than `CALL_TIMES_KEPT_MS` are dropped as new ones arrive. */
  private times: { endpoint: string; at: number }[] = [];

  record(endpoint: string, version?: string): void {
    this.byEndpoint.set(endpoint, this.count(endpoint) + 1);
    if (version !== undefined) this.byVersion.set(version, (this.byVersion.get(version) ?? 0) + 1);
    const at = Date.now();
    this.times.push({ endpoint, at });
    if (this.times[0]!.at <= at - 2 * CALL_TIMES_KEPT_MS) {
      this.times = this.times.filter((call) => call.at > at - CALL_TIMES_KEPT_MS);
    }
  }

  /** A call that was answered 429 (it was recorded as a call too). */
  recordRateLimited(endpoint: string): void {
    this.rateLimitedByEndpoint.set(endpoint, (this.rateLimitedByEndpoint.get(endpoint) ?? 0) + 1);
  }

  count(endpoint: string): number {
    return this.byEndpoint.get(endpoint) ?? 0;
  }

  /**
   * The most calls matching `endpoint` (a fault-style pattern: `GET *`, `* (collection)`, …; absent: every
   * call) that arrived within any `windowMs` of each other, over the last hour.
   */
  busiestWindow(windowMs: number, endpoint?: string): number {
    const times = this.times
      .filter((call) => endpointMatches(endpoint, call.endpoint))
      .map((call) => call.at);
    let most = 0;
    for (let first = 0, last = 0; last < times.length; last++) {
      while (times[last]! - times[first]! >= windowMs) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  snapshot(): CallSnapshot {
    const byEndpoint = Object.fromEntries(this.byEndpoint);
    return {
      total: Object.values(byEndpoint).reduce((sum, n) => sum + n, 0),
      byEndpoint,
      byVersion: Object.fromEntries(this.byVersion),
    };
  }

  rateLimited(): RateLimitedSnapshot {
    const byEndpoint = Object.fromEntries(this.rateLimitedByEndpoint);
    return { total: Object.values(byEndpoint).reduce((sum, n) => sum + n, 0), byEndpoint };
  }

  reset(): void {
    this.byEndpoint.clear();
    this.byVersion.clear();
    this.rateLimitedByEndpoint.clear();
    this.times = [];
  }
}
