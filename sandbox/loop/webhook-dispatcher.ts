import { createHmac } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';

export interface DeliverySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  retryAfterCapMs: number;
  /** Chance, 0..1, that Loop loses a delivery: it is never attempted (recorded with outcome `lost`). */
  loseRate: number;
  /** Chance, 0..1, that a delivery is made twice, each copy on its own schedule. */
  duplicateRate: number;
  /** Each delivery (and copy) first waits a random 0..this, so deliveries can arrive out of order. */
  maxJitterMs: number;
}

export interface DeliveryRequest {
  subscriptionId: number;
  url: string;
  topic: string;
  trigger: string;
  returnId: number;
  /** Exact bytes to send and sign. */
  body: string;
  secret: string;
}

export type DeliveryOutcome = 'delivered' | 'will-retry' | 'failed' | 'lost';

export interface DeliveryAttempt {
  deliveryId: string;
  subscriptionId: number;
  url: string;
  topic: string;
  trigger: string;
  returnId: number;
  /** 1 for the first attempt; 0 for a lost delivery, never attempted. */
  attempt: number;
  /** The delivery this one repeats, when Loop sent the same event twice. */
  duplicateOf?: string;
  /** HTTP status, or null when no response came (timeout, refused, reset). */
  status: number | null;
  error: string | null;
  outcome: DeliveryOutcome;
  /** Delay before the next attempt, when there is one. */
  nextRetryMs: number | null;
  at: string;
}

interface AttemptResult {
  status: number | null;
  error: string | null;
  retryAfterMs: number | undefined;
}

function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One abort signal every pending delivery listens on: thousands at once in a burst, not a leak. */
function unboundedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * Delivers signed webhooks like Loop: retries on non-2xx and on no answer, exponential backoff with
 * jitter, a receiver's Retry-After honoured up to a cap (a longer one fails the delivery), and a record
 * of every attempt.
 */
export class WebhookDispatcher {
  private readonly log: DeliveryAttempt[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private controller = unboundedController();
  private sequence = 0;

  constructor(private readonly settings: () => DeliverySettings) {}

  /**
   * Starts a delivery in the background, returns its ID. Per the settings it may be lost (recorded, never
   * sent), delayed by a random jitter, or made twice.
   */
  deliver(request: DeliveryRequest): string {
    const deliveryId = `dlv_${++this.sequence}`;
    const settings = this.settings();
    if (Math.random() < settings.loseRate) {
      this.record(request, { deliveryId, attempt: 0, status: null, error: 'lost by Loop', outcome: 'lost' });
      return deliveryId;
    }
    this.start(deliveryId, request);
    if (Math.random() < settings.duplicateRate) {
      this.start(`dlv_${++this.sequence}`, request, deliveryId);
    }
    return deliveryId;
  }

  private start(deliveryId: string, request: DeliveryRequest, duplicateOf?: string): void {
    const run = this.run(deliveryId, request, this.controller.signal, duplicateOf).finally(() =>
      this.inFlight.delete(run),
    );
    this.inFlight.add(run);
  }

  private record(
    request: DeliveryRequest,
    attempt: Pick<DeliveryAttempt, 'deliveryId' | 'attempt' | 'status' | 'error' | 'outcome'> &
      Partial<Pick<DeliveryAttempt, 'duplicateOf' | 'nextRetryMs'>>,
  ): void {
    const { body: _body, secret: _secret, ...about } = request;
    this.log.push({ ...about, nextRetryMs: null, ...attempt, at: new Date().toISOString() });
  }

  attempts(): DeliveryAttempt[] {
    return this.log.map((attempt) => ({ ...attempt }));
  }

  clear(): void {
    this.log.length = 0;
  }

  /** Resolves once no delivery is pending (including retries that have not happened yet). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Abandons every pending delivery and retry. */
  async cancelAll(): Promise<void> {
    this.controller.abort();
    this.controller = unboundedController();
    await this.settled();
  }

  private async run(
    deliveryId: string,
    request: DeliveryRequest,
    signal: AbortSignal,
    duplicateOf: string | undefined,
  ): Promise<void> {
    const signature = createHmac('sha256', request.secret).update(request.body).digest('base64');
    const jitterMs = Math.round(Math.random() * this.settings().maxJitterMs);
    if (jitterMs > 0) await sleep(jitterMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    for (let attempt = 1; ; attempt++) {
      const settings = this.settings();
      const result = await this.send(request, signature, settings.timeoutMs, signal);
      if (signal.aborted) return;
      const delivered = result.status !== null && result.status >= 200 && result.status < 300;
      const backoff = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
      let nextRetryMs: number | null = Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      let error = result.error;
      if (delivered || attempt >= settings.maxAttempts) nextRetryMs = null;
      else if (result.retryAfterMs !== undefined && result.retryAfterMs > settings.retryAfterCapMs) {
        nextRetryMs = null;
        error = `Retry-After ${result.retryAfterMs} ms exceeds the ${settings.retryAfterCapMs} ms cap`;
      } else if (result.retryAfterMs !== undefined) nextRetryMs = result.retryAfterMs;
      this.record(request, {
        deliveryId,
        ...(duplicateOf && { duplicateOf }),
        attempt,
        status: result.status,
        error,
        outcome: delivered ? 'delivered' : nextRetryMs === null ? 'failed' : 'will-retry',
        nextRetryMs,
      });
      if (nextRetryMs === null) return;
      await sleep(nextRetryMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
  }

  private async send(
    request: DeliveryRequest,
    signature: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    try {
      const response = await got.post(request.url, {
        body: request.body,
        headers: {
          'content-type': 'application/json',
          'x-loop-signature': signature,
          'user-agent': 'Loop-Webhooks-Simulator/1.0',
        },
        throwHttpErrors: false,
        retry: { limit: 0 },
        followRedirect: false,
        timeout: { request: timeoutMs },
        signal,
      });
      const retryAfter: unknown = response.headers['retry-after'];
      return {
        status: response.statusCode,
        error: null,
        retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()),
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return {
        status: null,
        error: typeof code === 'string' ? code : String(error),
        retryAfterMs: undefined,
      };
    }
  }
}
