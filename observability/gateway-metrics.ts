// The gateway's application metrics, on the process's shared registry. Labels are tenant-agnostic on purpose:
// tenant IDs would make series grow with every merchant, and /metrics may be scraped without a token.
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './metrics.ts';

/** What became of a webhook: handed to Temporal, ignored by design, or refused (and why). */
export type WebhookOutcome =
  | 'started'
  | 'duplicate'
  | 'signalled'
  | 'already-finished'
  | 'ignored'
  | 'unknown-tenant'
  | 'bad-signature'
  | 'malformed'
  | 'too-large'
  | 'rate-limited'
  | 'store-unavailable'
  | 'temporal-unavailable'
  | 'error';

export const webhooksReceived = new Counter({
  name: 'loop_finale_gateway_webhooks_received_total',
  help: 'Loop webhooks received, by outcome and HTTP status answered',
  labelNames: ['outcome', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'loop_finale_gateway_http_request_duration_seconds',
  help: 'Gateway request durations, by method, route pattern and HTTP status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
