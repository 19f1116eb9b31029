// `npm start`: the embedded default. Brings up a Temporal dev server (unless TEMPORAL_ADDRESS is set), the
// tenant store (PGlite unless DATABASE_URL is set), the worker and the gateway, prints where everything
// is, and stops it all cleanly on Ctrl-C.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadEnvOrExit } from '../config/env.ts';
import { startGateway } from '../gateway/server.ts';
import { createLogger } from '../observability/logger.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { startDevServer, waitForTemporal, type DevServer } from '../temporal/dev-server.ts';
import { createWorker } from '../worker/create-worker.ts';

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL });
const step = (message: string) => process.stdout.write(`  … ${message}\n`);

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stdout.write('\nStopping…\n');
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// This script owns shutdown order (worker drains before Temporal stops), so the SDK must not react itself.
Runtime.install({ shutdownSignals: [] });

try {
  process.stdout.write('Starting loop-finale-bridge (embedded default)\n');
  let devServer: DevServer | undefined;
  let temporalAddress = env.TEMPORAL_ADDRESS;
  if (temporalAddress) {
    step(`waiting for Temporal at ${temporalAddress}`);
    await waitForTemporal(temporalAddress, 60_000);
  } else {
    const dbFile = path.resolve(env.DATA_DIR, 'temporal.db');
    step(`starting Temporal dev server (data: ${dbFile})`);
    devServer = await startDevServer({
      port: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      dbFile,
      namespace: env.TEMPORAL_NAMESPACE,
      onOutput: (line) => logger.debug({ source: 'temporal' }, line),
    });
    stops.push(devServer.stop);
    temporalAddress = devServer.address;
  }

  const connection = await Connection.connect({ address: temporalAddress });
  stops.push(() => connection.close());
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });

  step(
    env.DATABASE_URL
      ? 'connecting to the tenant store (PostgreSQL)'
      : 'opening the tenant store (embedded PGlite)',
  );
  const store = await openStoreFromEnv(env, logger);
  stops.push(() => store.close());

  step('starting worker');
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  stops.push(() => nativeConnection.close());
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    client,
    store,
    endpoints: {
      finaleBaseUrl: env.FINALE_BASE_URL,
      loopBaseUrl: env.LOOP_BASE_URL,
      loopApiVersion: env.LOOP_API_VERSION,
    },
    logger,
    alerts: { webhookUrl: env.ALERT_WEBHOOK_URL, webUiUrl: env.TEMPORAL_UI_URL ?? devServer?.uiUrl },
  });
  const workerRun = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await workerRun;
  });

  step('starting gateway');
  const gateway = await startGateway({
    host: env.GATEWAY_HOST,
    port: env.GATEWAY_PORT,
    logger,
    readinessChecks: {
      temporal: async () => {
        await connection.workflowService.getSystemInfo({});
      },
      store: async () => {
        await store.listTenants();
      },
    },
  });
  stops.push(() => gateway.server.close());

  const lines = [
    '',
    'Ready.',
    `  Gateway:          ${gateway.url}  (health: ${gateway.url}/healthz, readiness: ${gateway.url}/readyz)`,
    `  Temporal:         ${temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE}, task queue ${env.TEMPORAL_TASK_QUEUE})`,
    `  Tenant store:     ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : path.resolve(env.DATA_DIR, 'tenant-store')}`,
    devServer?.uiUrl ? `  Temporal Web UI:  ${devServer.uiUrl}` : undefined,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.filter((l) => l !== undefined).join('\n'));
} catch (error) {
  process.stderr.write(`\nStart-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
}
