// Application metrics of the worker, on the process's shared registry (served by the gateway's /metrics
// under npm start, and by the worker's own metrics endpoint when it runs alone).
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './metrics.ts';

/** Why an activity attempt failed: an issue class from the workflow's taxonomy, or what else it was. */
export type FailureClass = 'waiting' | 'config' | 'data' | 'cancelled' | 'unexpected';

export const activityAttempts = new Counter({
  name: 'loop_finale_activity_attempts_total',
  help: 'Activity attempts by activity type, result (success | failure) and failure class',
  labelNames: ['activity_type', 'result', 'failure_class'] as const,
  registers: [metricsRegistry],
});

export const activityDuration = new Histogram({
  name: 'loop_finale_activity_duration_seconds',
  help: 'Duration of activity attempts by activity type',
  labelNames: ['activity_type'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const returnsFinished = new Counter({
  name: 'loop_finale_returns_finished_total',
  help: 'Return workflows that finished, by outcome (processed, closed, flagged, cancelled, already-closed-in-loop, failed)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const returnDrain = new Histogram({
  name: 'loop_finale_return_drain_seconds',
  help:
    'Time from a return being received (its webhook, or the sweeper finding it) to its Finale return existing: ' +
    'how fast returns drain into Finale, API budgets and order syncs included',
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 4 * 3_600, 24 * 3_600, 72 * 3_600],
  registers: [metricsRegistry],
});
