// `npm start`: the embedded default. Brings up a Temporal dev server (unless TEMPORAL_ADDRESS is set), the
// tenant store (PGlite unless DATABASE_URL is set), the worker and the gateway, plus — while no real
// tenant exists — the Finale and Loop simulators with a demo tenant. Prints where everything is, and stops
// it all cleanly on Ctrl-C. A data folder or a port already in use stops it before anything starts, with
// the setting that moves it.
import path from 'node:path';
import { loadEnvOrExit } from '../config/env.ts';
import { startGateway } from '../gateway/server.ts';
import { onboardingLinkUrl, loopWebhookUrl, requirePublicBaseUrl } from '../gateway/public-urls.ts';
import { createLogger } from '../observability/logger.ts';
import { serveAppMetrics } from '../observability/metrics-server.ts';
import { exportServiceState } from '../observability/state-metrics.ts';
import { installTemporalRuntime, temporalMetricsUrl } from '../observability/temporal-runtime.ts';
import { startTracing } from '../observability/tracing.ts';
import { assertPortsFree, listenChecked, listeners, reachableHost } from '../startup/ports.ts';
import { describeStartupFailure } from '../startup/startup-error.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { connectTemporalClient } from '../temporal/client.ts';
import { startDevServer, type DevServer } from '../temporal/dev-server.ts';
import { connectWorkerConnection } from '../temporal/worker-connection.ts';
import { startTenantSweeper } from '../temporal/workflow-starts.ts';
import { drained } from '../worker/drain.ts';
import { createWorkerFromEnv } from '../worker/worker-from-env.ts';
import { lockDataDir } from './start/data-dir-lock.ts';
import {
  demoTenantId,
  pauseDemoTenants,
  realTenantIds,
  startDemoSandbox,
  type DemoSandbox,
} from './start/demo-sandbox.ts';
import { currentOnboardingLink, loadOrCreateAdminToken } from './start/local-credentials.ts';
import { buildWorkflowBundle } from './start/workflow-bundle.ts';

const env = loadEnvOrExit();
// Request and worker logs would bury the start-up block; `LOG_LEVEL=info npm start` brings them back.
const logger = createLogger({ level: process.env.LOG_LEVEL ? env.LOG_LEVEL : 'warn' });
const step = (message: string) => process.stdout.write(`  … ${message}\n`);

// What to stop, in the order things started; shutdown runs it backwards: the gateway first (no new work),
// then the worker drains, then the simulators and Temporal go. `what` is printed as it happens.
const stops: { what?: string; stop: () => Promise<void> }[] = [];
const onStop = (stop: () => Promise<void>, what?: string) => stops.push({ what, stop });
let stopping = false;
async function shutdown(code: number): Promise<void> {
  // A Ctrl-C reaches this process twice (from the terminal, and forwarded by npm): one shutdown, which
  // the second signal must not cut short.
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  process.stdout.write('\nStopping…\n');
  for (const { what, stop } of stops.reverse()) {
    if (what) step(what);
    await stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
  }
  process.stdout.write(`Stopped in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const gatewayBaseUrl = `http://${reachableHost(env.GATEWAY_HOST)}:${env.GATEWAY_PORT}`;

try {
  process.stdout.write('Starting loop-finale-bridge (embedded default)\n');
  const lock = await lockDataDir(env.DATA_DIR, gatewayBaseUrl);
  onStop(() => lock.release());

  step(
    env.DATABASE_URL
      ? 'connecting to the tenant store (PostgreSQL)'
      : `opening the tenant store (embedded PGlite in ${path.resolve(env.DATA_DIR, 'tenant-store')})`,
  );
  const store = await openStoreFromEnv(env, logger);
  onStop(() => store.close());
  const realTenants = await realTenantIds(store);
  const demoMode = env.DEMO_MODE === 'auto' && realTenants.length === 0;
  // Outside demo mode, real merchants' webhooks are registered at this URL: it must be the public one.
  const publicBaseUrl = demoMode
    ? (env.PUBLIC_BASE_URL ?? gatewayBaseUrl)
    : requirePublicBaseUrl(env.PUBLIC_BASE_URL);

  // Every port this start will listen on, checked before anything listens.
  const embeddedTemporal = !env.TEMPORAL_ADDRESS;
  const gatewayMetrics = listeners.gatewayMetrics(env);
  await assertPortsFree([
    listeners.gateway(env),
    gatewayMetrics,
    listeners.sdkMetrics(env),
    ...(embeddedTemporal ? [listeners.temporalDevServer(env), listeners.temporalWebUi(env)] : []),
    ...(demoMode ? [listeners.finaleSimulator(env), listeners.loopSimulator(env)] : []),
  ]);

  // Before any worker connection: the runtime carries the SDK's logger and metrics exporter. This script
  // owns shutdown order (worker drains before Temporal stops), so the SDK must not react to signals itself.
  installTemporalRuntime({ logger, metricsAddress: env.TEMPORAL_METRICS_ADDRESS, shutdownSignals: [] });
  const tracing = startTracing(env);
  if (tracing) onStop(() => tracing.shutdown());

  let devServer: DevServer | undefined;
  let temporalAddress = env.TEMPORAL_ADDRESS;
  if (temporalAddress) {
    step(`waiting for Temporal at ${temporalAddress}`);
  } else {
    const dbFile = path.resolve(env.DATA_DIR, 'temporal.db');
    step(`starting the Temporal dev server (data: ${dbFile})`);
    devServer = await startDevServer({
      port: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      dbFile,
      namespace: env.TEMPORAL_NAMESPACE,
      ownProcessGroup: true,
      onOutput: (line) => logger.debug({ source: 'temporal' }, line),
    });
    onStop(devServer.stop, 'stopping the Temporal dev server');
    temporalAddress = devServer.address;
  }
  const client = await connectTemporalClient({ address: temporalAddress, env, tracing });
  onStop(() => client.connection.close());

  const adminToken = await loadOrCreateAdminToken(env.DATA_DIR, env.ADMIN_TOKEN);
  let demo: DemoSandbox | undefined;
  if (demoMode) {
    step(`demo mode (no real tenant yet): starting the Finale and Loop simulators`);
    const sandbox = await listenChecked([listeners.finaleSimulator(env), listeners.loopSimulator(env)], () =>
      startDemoSandbox({
        store,
        host: '127.0.0.1',
        finalePort: env.FINALE_SIM_PORT,
        loopPort: env.LOOP_SIM_PORT,
      }),
    );
    onStop(() => sandbox.close(), 'stopping the simulators');
    demo = sandbox;
  } else {
    await pauseDemoTenants(store);
  }

  step(`starting the worker (task queue ${env.TEMPORAL_TASK_QUEUE}; bundling the workflows takes a moment)`);
  // Tracing adds its own workflow interceptors, which only an in-process bundle includes.
  const workflowBundlePath =
    env.WORKFLOW_BUNDLE_PATH ?? (tracing ? undefined : await buildWorkflowBundle(env.DATA_DIR));
  const nativeConnection = await connectWorkerConnection(temporalAddress, env);
  onStop(() => nativeConnection.close());
  const worker = await createWorkerFromEnv(env, {
    nativeConnection,
    client,
    store,
    logger,
    tracing,
    // Demo tenants' calls go to the simulators, every other tenant's to the real APIs: a merchant
    // onboarded while demo mode runs is served right away.
    simulators: demo?.endpoints,
    webUiUrl: devServer?.uiUrl,
    workflowBundlePath,
  });
  exportServiceState({ client, store, logger });
  const workerRun = worker.run();
  onStop(async () => {
    worker.shutdown();
    await drained(worker, workerRun, logger);
  }, 'draining the worker');

  step('starting the gateway');
  const gateway = await listenChecked([listeners.gateway(env)], () =>
    startGateway({
      host: env.GATEWAY_HOST,
      port: env.GATEWAY_PORT,
      logger,
      env: { ...env, ADMIN_TOKEN: adminToken.token, PUBLIC_BASE_URL: publicBaseUrl },
      store,
      temporal: { client, taskQueue: env.TEMPORAL_TASK_QUEUE },
      demoMode,
    }),
  );
  onStop(() => gateway.server.close(), 'stopping the gateway');
  const metricsServer = await serveAppMetrics(gatewayMetrics);
  if (metricsServer) onStop(() => metricsServer.close());

  if (demo) {
    step(`subscribing the demo tenant's webhooks and starting its sweeper`);
    demo.subscribeWebhooks(loopWebhookUrl(gatewayBaseUrl, demoTenantId));
    await startTenantSweeper(client, env.TEMPORAL_TASK_QUEUE, demoTenantId);
  }
  const onboarding = await currentOnboardingLink(env.DATA_DIR, store.invites, (token) =>
    onboardingLinkUrl(publicBaseUrl, token),
  );

  const dataDirAbsolute = path.resolve(env.DATA_DIR);
  const dataDirRelative = path.relative(process.cwd(), dataDirAbsolute);
  const dataDir = dataDirRelative.startsWith('..') ? dataDirAbsolute : dataDirRelative || '.';
  const sdkMetrics = temporalMetricsUrl(env.TEMPORAL_METRICS_ADDRESS);
  const lines = [
    '',
    `Ready.${demo ? ' (demo mode: simulated Loop and Finale, tenant "demo")' : ''}`,
    '',
    `  Gateway           ${gatewayBaseUrl}`,
    devServer?.uiUrl
      ? `  Temporal Web UI   ${devServer.uiUrl}`
      : `  Temporal          ${temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE})`,
    `  Onboarding link   ${onboarding.url}`,
    `                    for a real merchant; single use, expires ${onboarding.expiresAt.toISOString().slice(0, 10)}` +
      (onboarding.created ? '' : ' (same link as last start)'),
    `  Admin token       ${adminToken.source === 'env' ? 'ADMIN_TOKEN (from the environment)' : path.join(dataDir, path.basename(adminToken.file))}`,
    `  Metrics           ${metricsServer?.url ?? `${gatewayBaseUrl}/metrics`}${sdkMetrics ? `, Temporal SDK: ${sdkMetrics}` : ''}`,
    ...(demo
      ? [
          `  Simulators        Loop ${demo.loop.url}, Finale ${demo.finale.url}`,
          '',
          '  Push a demo return through:  npm run cli -- demo',
        ]
      : [`  Real tenants      ${realTenants.join(', ')}`]),
    '  Operator commands:           npm run cli -- --help',
    '',
    `State is kept in ${dataDir}/ across restarts. Press Ctrl-C to stop.`,
    '',
  ];
  process.stdout.write(lines.filter((line) => line !== undefined).join('\n'));
} catch (error) {
  process.stderr.write(`\nStart-up failed: ${describeStartupFailure(error)}\n`);
  await shutdown(1);
}
