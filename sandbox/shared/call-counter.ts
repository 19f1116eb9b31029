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

/** Counts every API call a simulator receives, faulted and refused ones included, so tests can assert on API cost. */
export class CallCounter {
  private readonly byEndpoint = new Map<string, number>();
  private readonly byVersion = new Map<string, number>();
  private readonly rateLimitedByEndpoint = new Map<string, number>();

  record(endpoint: string, version?: string): void {
    this.byEndpoint.set(endpoint, this.count(endpoint) + 1);
    if (version !== undefined) this.byVersion.set(version, (this.byVersion.get(version) ?? 0) + 1);
  }

  /** A call that was answered 429 (it was recorded as a call too). */
  recordRateLimited(endpoint: string): void {
    this.rateLimitedByEndpoint.set(endpoint, (this.rateLimitedByEndpoint.get(endpoint) ?? 0) + 1);
  }

  count(endpoint: string): number {
    return this.byEndpoint.get(endpoint) ?? 0;
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
  }
}
