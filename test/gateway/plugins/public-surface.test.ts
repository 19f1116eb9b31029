import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { publicSurface } from '../../../gateway/plugins/public-surface.ts';

async function build() {
  const fastify = Fastify({ trustProxy: true });
  await fastify.register(publicSurface, { windowMs: 60_000, limits: { '/webhooks': 2, '/onboarding': 3 } });
  // Routes registered afterwards, in their own scopes, as the webhook and onboarding plugins are.
  await fastify.register(async (scope) => scope.post('/hook/:id', async () => 'ok'), { prefix: '/webhooks' });
  await fastify.register(async (scope) => {
    scope.get('/onboarding/:token', async () => 'form');
    scope.post('/onboarding/:token', async () => 'saved');
  });
  fastify.get('/healthz', async () => 'ok');
  fastify.get('/onboardingish', async () => 'not public');
  return fastify;
}

const statuses = async (requests: (() => Promise<{ statusCode: number }>)[]) => {
  const answers = [];
  for (const request of requests) answers.push((await request()).statusCode);
  return answers;
};

describe('public surface', () => {
  it('rate-limits webhooks per client address, answering 429 with Retry-After', async () => {
    const fastify = await build();
    const post = (ip: string) => () =>
      fastify.inject({ method: 'POST', url: '/webhooks/hook/a', headers: { 'x-forwarded-for': ip } });
    expect(await statuses([post('10.0.0.1'), post('10.0.0.1'), post('10.0.0.1')])).toEqual([200, 200, 429]);
    const limited = await post('10.0.0.1')();
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await statuses([post('10.0.0.2')])).toEqual([200]);
  });

  it('gives every onboarding route, registered later in any scope, one shared budget', async () => {
    const fastify = await build();
    const get = () => fastify.inject('/onboarding/token-1');
    const post = () => fastify.inject({ method: 'POST', url: '/onboarding/token-2' });
    expect(await statuses([get, post, get, post])).toEqual([200, 200, 200, 429]);
  });

  it('never throttles probes or paths that merely share a prefix', async () => {
    const fastify = await build();
    const probes = Array.from({ length: 10 }, () => () => fastify.inject('/healthz'));
    expect(new Set(await statuses(probes))).toEqual(new Set([200]));
    const lookalike = Array.from({ length: 5 }, () => () => fastify.inject('/onboardingish'));
    expect(new Set(await statuses(lookalike))).toEqual(new Set([200]));
  });

  it('sends security headers', async () => {
    const fastify = await build();
    for (const url of ['/onboarding/token-1', '/healthz']) {
      const response = await fastify.inject(url);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['strict-transport-security']).toBeDefined();
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });
});
