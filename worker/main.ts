// The worker as its own process (production): polls the task queue until SIGTERM/SIGINT, then lets
// in-flight activities finish (shutdownGraceTime) before exiting.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadEnvOrExit } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { createWorker } from './create-worker.ts';

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL });
if (!env.TEMPORAL_ADDRESS) {
  logger.fatal('TEMPORAL_ADDRESS is required for a stand-alone worker (npm start runs an embedded one)');
  process.exit(1);
}

const store = await openStoreFromEnv(env, logger);
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
try {
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }),
    store,
    endpoints: {
      finaleBaseUrl: env.FINALE_BASE_URL,
      loopBaseUrl: env.LOOP_BASE_URL,
      loopApiVersion: env.LOOP_API_VERSION,
    },
    logger,
    alerts: { webhookUrl: env.ALERT_WEBHOOK_URL, webUiUrl: env.TEMPORAL_UI_URL },
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
  });
  logger.info({ taskQueue: env.TEMPORAL_TASK_QUEUE }, 'worker running');
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once it is done.
  await worker.run();
  logger.info('worker stopped');
} finally {
  await nativeConnection.close();
  await connection.close();
  await store.close();
}
