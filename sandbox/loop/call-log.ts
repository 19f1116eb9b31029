export interface CallReport {
  total: number;
  /** Keyed `METHOD /route/:pattern`, without the `/api/{version}` prefix. */
  byEndpoint: Record<string, number>;
  /** Keyed by the API version in the path (`v1`, `2026-07`, …). */
  byVersion: Record<string, number>;
}

/** Counts every API call the simulator receives, faulted and refused ones included. */
export class CallLog {
  private byEndpoint = new Map<string, number>();
  private byVersion = new Map<string, number>();

  record(endpoint: string, version: string): void {
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
    this.byVersion.set(version, (this.byVersion.get(version) ?? 0) + 1);
  }

  report(): CallReport {
    const byEndpoint = Object.fromEntries(this.byEndpoint);
    return {
      total: Object.values(byEndpoint).reduce((sum, n) => sum + n, 0),
      byEndpoint,
      byVersion: Object.fromEntries(this.byVersion),
    };
  }

  reset(): void {
    this.byEndpoint = new Map();
    this.byVersion = new Map();
  }
}
