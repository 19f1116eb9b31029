/** Counts every API call by endpoint (`GET /:account/api/return (collection)`), so tests can assert on API cost. */
export class CallCounter {
  private readonly counts = new Map<string, number>();

  record(endpoint: string): void {
    this.counts.set(endpoint, this.count(endpoint) + 1);
  }

  count(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  snapshot(): { total: number; byEndpoint: Record<string, number> } {
    const byEndpoint = Object.fromEntries(this.counts);
    return { total: Object.values(byEndpoint).reduce((sum, n) => sum + n, 0), byEndpoint };
  }

  reset(): void {
    this.counts.clear();
  }
}
