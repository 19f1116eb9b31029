import Bottleneck from 'bottleneck';

export interface RateLimit {
  /** Requests allowed per interval for one credential. */
  requests: number;
  intervalMs: number;
  /** Requests in flight at once for one credential. */
  maxConcurrent: number;
}

/**
 * One token bucket per credential, so one busy merchant stays under an API's published limit without
 * slowing any other merchant. Keys are opaque (e.g. a hash of the API key), never the secret itself.
 */
export class CredentialRateLimiter {
  private readonly group: Bottleneck.Group;

  constructor(limit: RateLimit) {
    this.group = new Bottleneck.Group({
      maxConcurrent: limit.maxConcurrent,
      reservoir: limit.requests,
      reservoirRefreshAmount: limit.requests,
      reservoirRefreshInterval: limit.intervalMs,
    });
  }

  schedule<T>(credentialKey: string, task: () => Promise<T>): Promise<T> {
    return this.group.key(credentialKey).schedule(task);
  }

  /** Requests that may still start in the current interval for this credential. */
  remaining(credentialKey: string): Promise<number | null> {
    return this.group.key(credentialKey).currentReservoir();
  }

  async stop(): Promise<void> {
    await Promise.all(this.group.limiters().map(({ limiter }) => limiter.stop({ dropWaitingJobs: true })));
  }
}
