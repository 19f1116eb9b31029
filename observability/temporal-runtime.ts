// The Temporal SDK runtime of a process that runs a worker: SDK logs into pino and SDK metrics (workers,
// pollers, task latencies, activity/workflow counts) on a Prometheus endpoint. Installed once, first.
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from './logger.ts';
import { temporalLoggerFor } from './temporal-logger.ts';

export interface TemporalRuntimeOptions {
  logger: Logger;
  /** `host:port` for the SDK's Prometheus exporter (served at /metrics); undefined = no SDK metrics. */
  metricsAddress: string | undefined;
  /** Signals on which the SDK shuts workers down itself; `[]` when the process orchestrates shutdown. */
  shutdownSignals?: NodeJS.Signals[];
}

export function installTemporalRuntime(options: TemporalRuntimeOptions): Runtime {
  return Runtime.install({
    logger: temporalLoggerFor(options.logger),
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(options.metricsAddress ? { metrics: { prometheus: { bindAddress: options.metricsAddress } } } : {}),
    },
  });
}

/** Where the SDK's metrics can be scraped, for start-up messages. */
export const temporalMetricsUrl = (address: string | undefined) =>
  address ? `http://${address}/metrics` : undefined;
