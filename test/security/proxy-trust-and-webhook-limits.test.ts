// Issue 10, gap 7: GATEWAY_TRUST_PROXY=true trusted any X-Forwarded-For, so per-address limits could be
// dodged; and without it, behind a load balancer, all of Loop's deliveries shared one per-address budget:
// 3,000 signed webhooks from one address in a burst got 1,800 answers of 429. Now proxy trust is a hop
// count or addresses, never "any"; deliveries failing verification are limited per client address; and
// verified deliveries are limited per tenant, generously.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../config/env.ts';
import { newTenant } from '../store/tenant-fixture.ts';
import { loopReturns, sign } from '../gateway/gateway-fixture.ts';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const tenants = Array.from({ length: 3 }, (_, i) => `burst-${i}-${randomBytes(2).toString('hex')}`);
const secretOf = (tenantId: string) => newTenant(tenantId).secrets.loopWebhookSecret;
const returns = loopReturns();

function delivery(
  tenantId: string,
  options: { signature?: string; from?: string; forwardedFor?: string } = {},
) {
  const { body } = returns.webhook();
  return {
    method: 'POST' as const,
    url: `/webhooks/loop/${tenantId}`,
    remoteAddress: options.from ?? '10.0.0.1',
    headers: {
      'content-type': 'application/json',
      'x-loop-signature': options.signature ?? sign(body, secretOf(tenantId)),
      ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
    },
    payload: body,
  };
}

describe('GATEWAY_TRUST_PROXY', () => {
  it('refuses "true", saying what to give instead', () => {
    expect(() => parseEnv({ GATEWAY_TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => parseEnv({ GATEWAY_TRUST_PROXY: 'true' })).toThrow(
      /GATEWAY_TRUST_PROXY: "true" would trust any X-Forwarded-For.*number of proxies.*CIDR/s,
    );
    expect(() => parseEnv({ GATEWAY_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/not an address or CIDR block/);
    expect(parseEnv({ GATEWAY_TRUST_PROXY: '1' }).GATEWAY_TRUST_PROXY).toBe(1);
    expect(parseEnv({ GATEWAY_TRUST_PROXY: '10.0.0.0/8, fd00::/8' }).GATEWAY_TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
    ]);
  });
});

describe('webhook rate limits', () => {
  let world: GatewayWorld;
  beforeAll(async () => {
    world = await startGatewayWorld({ env: { GATEWAY_TRUST_PROXY: '1' } });
    for (const tenantId of tenants) await world.store.createTenant(newTenant(tenantId));
  });
  afterAll(() => world?.close());

  it('let 3,000 signed deliveries from one address through in a burst, with the default limits', async () => {
    const answers = await Promise.all(
      Array.from({ length: 3_000 }, (_, i) => world.app.inject(delivery(tenants[i % tenants.length]!))),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 429)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(world.starts).toHaveLength(3_000);
  });

  it('stop an address whose deliveries fail verification, however it names itself behind one proxy', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      // The client's own X-Forwarded-For entry comes first; the trusted proxy appends the real address.
      const spoofed = `203.0.113.${i}, 192.0.2.66`;
      const answer = await world.app.inject(
        delivery(`unknown-${i}`, { from: '10.0.0.2', forwardedFor: spoofed, signature: 'Zm9v' }),
      );
      statuses.push(answer.statusCode);
    }
    expect(statuses.slice(0, 120).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(120).every((status) => status === 429)).toBe(true);
    const blocked = await world.app.inject(
      delivery(tenants[0]!, { from: '10.0.0.2', forwardedFor: '192.0.2.66' }),
    );
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another client behind the same proxy is not held up.
    const other = await world.app.inject(
      delivery(tenants[0]!, { from: '10.0.0.2', forwardedFor: '192.0.2.67' }),
    );
    expect(other.statusCode).toBe(202);
  });

  it('hold up only the tenant whose signatures fail, not Loop’s deliveries for the others', async () => {
    for (let i = 0; i < 130; i++) {
      await world.app.inject(
        delivery(tenants[1]!, { from: '10.0.0.3', signature: sign('x', 'rotated in Loop only') }),
      );
    }
    expect((await world.app.inject(delivery(tenants[1]!, { from: '10.0.0.3' }))).statusCode).toBe(429);
    expect((await world.app.inject(delivery(tenants[2]!, { from: '10.0.0.3' }))).statusCode).toBe(202);
  });

  it('bound verified deliveries per tenant, telling Loop when to come back', async () => {
    const tight = await startGatewayWorld({
      store: world.store,
      env: { WEBHOOK_TENANT_RATE_LIMIT_MAX: '5' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await tight.app.inject(delivery(tenants[2]!))).statusCode);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
      const limited = await tight.app.inject(delivery(tenants[2]!));
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await tight.app.inject(delivery(tenants[0]!))).statusCode).toBe(202);
    } finally {
      await tight.close();
    }
  });
});
