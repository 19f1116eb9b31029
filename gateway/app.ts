import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Env } from '../config/env.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import { adminRoutes } from './admin/routes.ts';
import { onboardingRoutes } from './onboarding/routes.ts';
import { errorHandling } from './plugins/error-handler.ts';
import { publicSurface } from './plugins/public-surface.ts';
import { requestMetrics } from './plugins/request-metrics.ts';
import { adminPrefix, onboardingPrefix, requirePublicBaseUrl, webhooksPrefix } from './public-urls.ts';
import { createReadiness, type ReadinessCheck } from './readiness.ts';
import { healthRoutes, readinessPath } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export interface TemporalDeps {
  client: Client;
  /** Where return workflows are started (the workers' task queue). */
  taskQueue: string;
}

export interface AppOptions {
  env: Env;
  store: TenantStore;
  temporal: TemporalDeps;
  /** Replace or add readiness checks by name; Temporal and the store are always checked unless replaced. */
  readinessChecks?: Record<string, ReadinessCheck>;
  /**
   * npm start's demo mode is running in this process, so the demo tenant's webhooks are served. Otherwise
   * they are refused like an unknown tenant's: the demo tenant's webhook secret is public.
   */
  demoMode?: boolean;
}

/**
 * The gateway as a Fastify plugin: the server entry point and tests register it the same way. Wrapped with
 * fastify-plugin so its error handler, security headers, rate limits and request metrics apply to the whole
 * instance, including routes registered after it. Refuses to register without PUBLIC_BASE_URL: the URLs it
 * hands out are never built from request headers.
 */
export const app = fp<AppOptions>(
  async (fastify: FastifyInstance, { env, store, temporal, readinessChecks, demoMode = false }) => {
    const publicBaseUrl = requirePublicBaseUrl(env.PUBLIC_BASE_URL);
    await fastify.register(errorHandling);
    await fastify.register(requestMetrics);
    await fastify.register(publicSurface, {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      limits: {
        [onboardingPrefix]: env.ONBOARDING_RATE_LIMIT_MAX,
        [readinessPath]: env.READYZ_RATE_LIMIT_MAX,
      },
    });

    const readiness = createReadiness({
      log: fastify.log,
      checks: {
        // With a deadline, so probes during an outage do not pile up behind the client's own retries.
        temporal: async () => {
          await temporal.client.withDeadline(Date.now() + 2_000, () =>
            temporal.client.connection.workflowService.getSystemInfo({}),
          );
        },
        // A primary-key read: proves a connection and the schema without scanning anything.
        store: async () => {
          await store.getTenant('readiness-probe');
        },
        ...readinessChecks,
      },
    });
    await fastify.register(healthRoutes, { readiness });
    // Served on an internal address instead (GATEWAY_METRICS_ADDRESS) by the process entry point.
    if (env.GATEWAY_METRICS_ADDRESS === undefined) {
      await fastify.register(metricsRoutes, { token: env.METRICS_TOKEN });
    }
    await fastify.register(webhookRoutes, {
      prefix: webhooksPrefix,
      store,
      temporal,
      bodyLimit: env.WEBHOOK_BODY_LIMIT_BYTES,
      temporalTimeoutMs: env.GATEWAY_TEMPORAL_TIMEOUT_MS,
      limits: {
        windowMs: env.RATE_LIMIT_WINDOW_MS,
        unverifiedPerAddress: env.WEBHOOK_UNVERIFIED_RATE_LIMIT_MAX,
        verifiedPerTenant: env.WEBHOOK_TENANT_RATE_LIMIT_MAX,
      },
      demoMode,
    });
    await fastify.register(adminRoutes, {
      prefix: adminPrefix,
      token: env.ADMIN_TOKEN,
      store,
      temporal,
      temporalTimeoutMs: env.GATEWAY_TEMPORAL_TIMEOUT_MS,
      publicBaseUrl,
      readiness,
    });
    await fastify.register(onboardingRoutes, { store, temporal, env, publicBaseUrl });
  },
  { name: 'gateway-app' },
);
