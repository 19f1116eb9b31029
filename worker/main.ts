// The worker as its own process (production): polls the task queue until SIGTERM/SIGINT, then lets
// in-flight activities finish (WORKER_SHUTDOWN_GRACE_MS) before exiting. Serves the SDK's metrics and the
// application metrics on their Prometheus endpoints, and traces when an OTLP endpoint is configured.
import { serveAppMetrics } from '../observability/metrics-server.ts';
import { exportServiceState } from '../observability/state-metrics.ts';
import { installTemporalRuntime, temporalMetricsUrl } from '../observability/temporal-runtime.ts';
import { startTracing } from '../observability/tracing.ts';
import { assertPortsFree, listeners } from '../startup/ports.ts';
import { loadStandaloneEnv } from '../startup/standalone.ts';
import { exitOnStartupFailure } from '../startup/startup-error.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { connectTemporalClient } from '../temporal/client.ts';
import { connectWorkerConnection } from '../temporal/worker-connection.ts';
import { drained } from './drain.ts';
import { createWorkerFromEnv } from './worker-from-env.ts';

const { env, logger, temporalAddress } = loadStandaloneEnv('worker');

/** Everything the worker holds open, connected in order; a failure exits with what to fix. */
async function start() {
  const metricsListener = listeners.workerMetrics(env);
  await assertPortsFree([listeners.sdkMetrics(env), metricsListener]);
  // Before any worker connection: the runtime carries the SDK's logger and metrics exporter.
  installTemporalRuntime({ logger, metricsAddress: env.TEMPORAL_METRICS_ADDRESS });
  const tracing = startTracing(env);
  const metricsServer = await serveAppMetrics(metricsListener);
  const store = await openStoreFromEnv(env, logger);
  const client = await connectTemporalClient({ address: temporalAddress, env, tracing });
  const nativeConnection = await connectWorkerConnection(temporalAddress, env);
  return { tracing, metricsServer, store, client, nativeConnection };
}

const { tracing, metricsServer, store, client, nativeConnection } = await start().catch(exitOnStartupFailure);
try {
  const worker = await createWorkerFromEnv(env, { nativeConnection, client, store, logger, tracing });
  // Returns by stage, parked returns by class, sweepers and tenants: counted when the metrics are scraped.
  exportServiceState({ client, store, logger });
  logger.info(
    {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      sdkMetrics: temporalMetricsUrl(env.TEMPORAL_METRICS_ADDRESS),
      appMetrics: metricsServer?.url,
      tracing: tracing ? env.OTEL_EXPORTER_OTLP_ENDPOINT : undefined,
    },
    'worker running',
  );
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once it is done.
  await drained(worker, worker.run(), logger);
  logger.info('worker stopped');
} finally {
  await nativeConnection.close();
  await client.connection.close();
  await store.close();
  await metricsServer?.close();
  await tracing?.shutdown();
}
