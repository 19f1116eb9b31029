import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface PublicSurfaceOptions {
  windowMs: number;
  /** Requests per client address per window, by path prefix: every route under a prefix shares one budget. */
  limits: Record<string, number>;
}

const underPrefix = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`);

/**
 * Protection for the routes the internet reaches. Security headers go on every answer. Rate limits apply by
 * path prefix when a route is added, so routes registered later in any scope (the onboarding pages) get
 * them without opting in, while /healthz, /metrics and the token-protected admin API are never throttled.
 * (Webhooks have limits of their own, in their routes: per address for failures, per tenant once verified.)
 * Register before any route.
 */
export const publicSurface = fp<PublicSurfaceOptions>(
  async (fastify: FastifyInstance, { windowMs, limits }) => {
    await fastify.register(helmet);
    // global: false — only the limiters created below count requests.
    await fastify.register(rateLimit, { global: false });

    const limiters = Object.entries(limits).map(([prefix, max]) => ({
      prefix,
      limit: fastify.rateLimit({ max, timeWindow: windowMs }),
    }));
    fastify.addHook('onRoute', (route) => {
      const limiter = limiters.find(({ prefix }) => underPrefix(route.url, prefix));
      if (limiter === undefined) return;
      const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
      route.onRequest = [limiter.limit, ...own];
    });
  },
  { name: 'public-surface' },
);
