// The worker as its own process (production): polls the task queue until SIGTERM/SIGINT, then lets
// in-flight activities finish (shutdownGraceTime) before exiting. Serves the SDK's metrics and the
// application metrics on their Prometheus endpoints, and traces when an OTLP endpoint is configured.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { apiSettingsFromEnv } from '../config/api-settings.ts';
import { loadEnvOrExit } from '../config/env.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { createLogger } from '../observability/logger.ts';
import { metricsRegistry } from '../observability/metrics.ts';
import { startMetricsServer } from '../observability/metrics-server.ts';
import { installTemporalRuntime, temporalMetricsUrl } from '../observability/temporal-runtime.ts';
import { startTracing } from '../observability/tracing.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { createWorker } from './create-worker.ts';

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL });
if (!env.TEMPORAL_ADDRESS) {
  logger.fatal('TEMPORAL_ADDRESS is required for a stand-alone worker (npm start runs an embedded one)');
  process.exit(1);
}

// First, before any connection: the runtime carries the SDK's logger and metrics exporter.
installTemporalRuntime({ logger, metricsAddress: env.TEMPORAL_METRICS_ADDRESS });
const tracing = startTracing(env);
const metricsServer = env.WORKER_METRICS_ADDRESS
  ? await startMetricsServer(metricsRegistry, env.WORKER_METRICS_ADDRESS)
  : undefined;

const store = await openStoreFromEnv(env, logger);
const connectionOptions = { address: env.TEMPORAL_ADDRESS, ...temporalConnectionOptions(env) };
const connection = await Connection.connect(connectionOptions);
const nativeConnection = await NativeConnection.connect(connectionOptions);
try {
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    client: new Client({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      interceptors: { workflow: tracing?.clientInterceptors ?? [] },
    }),
    store,
    endpoints: {
      finaleBaseUrl: env.FINALE_BASE_URL,
      loopBaseUrl: env.LOOP_BASE_URL,
      loopApiVersion: env.LOOP_API_VERSION,
    },
    logger,
    alerts: { webhookUrl: env.ALERT_WEBHOOK_URL, webUiUrl: env.TEMPORAL_UI_URL },
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    api: apiSettingsFromEnv(env),
    tracing,
  });
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
  await worker.run();
  logger.info('worker stopped');
} finally {
  await nativeConnection.close();
  await connection.close();
  await store.close();
  await metricsServer?.close();
  await tracing?.shutdown();
}
