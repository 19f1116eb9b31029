// Issue 10, gap 6: /readyz returned raw dependency errors, called Temporal and the store on every request
// and was not rate-limited; /metrics was public. Now /readyz says only ready or not ready, from checks run
// at most every few seconds, rate-limited per address; the details go to the log and to the admin API; and
// /metrics takes a token or moves to an internal address.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { ADMIN_TOKEN, startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const METRICS_TOKEN = 'metrics-token-for-security-tests-0123';
const secretMessage = 'connect ECONNREFUSED 10.20.30.40:5432 (password authentication failed for ops)';
let real: TenantStore;
let store: TenantStore;
let world: GatewayWorld;
let storeChecks = 0;

beforeAll(async () => {
  real = await openStore({ secretKey: randomBytes(32) });
  // The readiness check's one store read fails, as a database outage would, with an internal message.
  store = {
    ...real,
    getTenant: async (tenantId: string) => {
      if (tenantId !== 'readiness-probe') return real.getTenant(tenantId);
      storeChecks++;
      throw new Error(secretMessage);
    },
  };
  world = await startGatewayWorld({
    store,
    env: { READYZ_RATE_LIMIT_MAX: '20', METRICS_TOKEN },
  });
});
afterAll(async () => {
  await world?.close();
  await real?.close();
});

describe('/readyz', () => {
  it('says only "not ready", and keeps why for the log and the admin API', async () => {
    const answer = await world.app.inject('/readyz');
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toEqual({ status: 'not ready' });
    expect(answer.body).not.toContain('ECONNREFUSED');
    expect(world.log()).toContain(secretMessage);

    const anonymous = await world.app.inject('/admin/readiness');
    expect(anonymous.statusCode).toBe(401);
    const details = await world.app.inject({
      url: '/admin/readiness',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(details.json()).toMatchObject({
      status: 'not ready',
      checks: { store: { ok: false, error: secretMessage }, temporal: { ok: true } },
    });
  });

  it('runs its checks at most once in a few seconds, however often it is asked', async () => {
    const before = storeChecks;
    for (let i = 0; i < 10; i++) expect((await world.app.inject('/readyz')).statusCode).toBe(503);
    expect(storeChecks - before).toBeLessThanOrEqual(1);
  });

  it('is rate-limited per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      statuses.push((await world.app.inject({ url: '/readyz', remoteAddress: '198.51.100.9' })).statusCode);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    expect((await world.app.inject({ url: '/readyz', remoteAddress: '198.51.100.10' })).statusCode).toBe(503);
  });
});

describe('/metrics', () => {
  it('answers only a scraper that sends METRICS_TOKEN', async () => {
    const anonymous = await world.app.inject('/metrics');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('loop_finale_');
    const wrong = await world.app.inject({ url: '/metrics', headers: { authorization: 'Bearer guess' } });
    expect(wrong.statusCode).toBe(401);
    const scraper = await world.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraper.statusCode).toBe(200);
    expect(scraper.body).toContain('loop_finale_gateway_http_request_duration_seconds');
  });

  it('is not on the public port at all when served on an internal address', async () => {
    const internal = await startGatewayWorld({ store, env: { GATEWAY_METRICS_ADDRESS: '127.0.0.1:9466' } });
    try {
      expect((await internal.app.inject('/metrics')).statusCode).toBe(404);
    } finally {
      await internal.close();
    }
  });
});
