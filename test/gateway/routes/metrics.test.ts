import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { newTenant } from '../../store/tenant-fixture.ts';
import { connectToDevServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { buildApp, loopReturns, sign, testEnv } from '../gateway-fixture.ts';

describe('GET /metrics', () => {
  const tenantId = `metrics-${randomBytes(3).toString('hex')}`;
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let store: TenantStore;
  let fastify: FastifyInstance;

  beforeAll(async () => {
    dev = await connectToDevServer();
    store = await openStore({ secretKey: randomBytes(32) });
    await store.createTenant(newTenant(tenantId));
    fastify = await buildApp({
      env: testEnv({ WEBHOOK_UNVERIFIED_RATE_LIMIT_MAX: '2' }),
      store,
      temporal: { client: dev.client, taskQueue: uniqueTaskQueue('metrics') },
    });
  });

  afterAll(async () => {
    await fastify?.close();
    await store?.close();
    await dev?.close();
  });

  const valueOf = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it('serves the shared registry with webhook outcomes and request durations, free of tenant IDs', async () => {
    const before = (await fastify.inject('/metrics')).body;
    const { body } = loopReturns().webhook();
    const secret = newTenant(tenantId).secrets.loopWebhookSecret;
    const post = (headers: Record<string, string>) =>
      fastify.inject({ method: 'POST', url: `/webhooks/loop/${tenantId}`, headers, payload: body });
    expect((await post({ 'x-loop-signature': sign(body, secret) })).statusCode).toBe(202);
    expect((await post({ 'x-loop-signature': 'bad' })).statusCode).toBe(401);
    expect((await post({})).statusCode).toBe(401);
    expect((await post({})).statusCode).toBe(429);

    const response = await fastify.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    const webhooks = (outcome: string, status: number) =>
      `loop_finale_gateway_webhooks_received_total{outcome="${outcome}",status="${status}"}`;
    for (const [series, added] of [
      [webhooks('started', 202), 1],
      [webhooks('bad-signature', 401), 2],
      [webhooks('rate-limited', 429), 1],
    ] as const) {
      expect(valueOf(text, series) - valueOf(before, series)).toBe(added);
    }
    expect(text).toContain(
      'loop_finale_gateway_http_request_duration_seconds_count{method="POST",route="/webhooks/loop/:tenantId",status="202"}',
    );
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain(tenantId);
  });

  it('is never rate-limited', async () => {
    for (let i = 0; i < 10; i++) expect((await fastify.inject('/metrics')).statusCode).toBe(200);
  });
});
