// The gateway as its own process (production): serves webhooks, onboarding and the admin API until
// SIGTERM/SIGINT, then finishes in-flight requests before closing its connections. Traces workflow starts
// and signals when an OTLP endpoint is configured. Never in demo mode: demo tenants are refused, and
// PUBLIC_BASE_URL is required.
import { serveAppMetrics } from '../observability/metrics-server.ts';
import { startTracing } from '../observability/tracing.ts';
import { assertPortsFree, listenChecked, listeners } from '../startup/ports.ts';
import { loadStandaloneEnv } from '../startup/standalone.ts';
import { exitOnStartupFailure } from '../startup/startup-error.ts';
import { openStoreFromEnv } from '../store/open-store.ts';
import { lazyTemporalClient } from '../temporal/client.ts';
import { requirePublicBaseUrl } from './public-urls.ts';
import { startGateway } from './server.ts';

const { env, logger, temporalAddress } = loadStandaloneEnv('gateway');

async function start() {
  requirePublicBaseUrl(env.PUBLIC_BASE_URL);
  const listener = listeners.gateway(env);
  const metricsListener = listeners.gatewayMetrics(env);
  await assertPortsFree([listener, metricsListener]);
  const tracing = startTracing(env);
  const metricsServer = await serveAppMetrics(metricsListener);
  const store = await openStoreFromEnv(env, logger);
  // Lazy: the gateway starts while Temporal is still coming up; /readyz says when it answers, and webhooks
  // answer 503 (Loop redelivers) until then.
  const client = lazyTemporalClient({
    address: temporalAddress,
    env,
    tracing,
  });
  const gateway = await listenChecked([listener], () =>
    startGateway({
      host: env.GATEWAY_HOST,
      port: env.GATEWAY_PORT,
      logger,
      env,
      store,
      temporal: { client, taskQueue: env.TEMPORAL_TASK_QUEUE },
    }),
  );
  return { tracing, metricsServer, store, client, gateway };
}

const { tracing, metricsServer, store, client, gateway } = await start().catch(exitOnStartupFailure);
logger.info(
  { url: gateway.url, temporal: temporalAddress, metrics: metricsServer?.url ?? `${gateway.url}/metrics` },
  'gateway listening',
);

let stopping: Promise<void> | undefined;
const stop = (signal: NodeJS.Signals) =>
  (stopping ??= (async () => {
    logger.info({ signal }, 'gateway stopping');
    try {
      // Stops accepting, lets in-flight webhooks finish their Temporal calls, then closes.
      await gateway.server.close();
      await metricsServer?.close();
      await client.connection.close();
      await store.close();
      await tracing?.shutdown();
      logger.info('gateway stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'gateway did not stop cleanly');
      process.exit(1);
    }
  })());
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
