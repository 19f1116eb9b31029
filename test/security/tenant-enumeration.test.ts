// Issue 10, gap 3: an unknown tenant got 404 and a bad signature 401, so tenant IDs could be enumerated, and
// every unknown-tenant request read the store. Now both get the same 401, and a tenant ID found unknown is
// remembered for a few seconds, so repeats never reach the store.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newTenant } from '../store/tenant-fixture.ts';
import { loopReturns, sign } from '../gateway/gateway-fixture.ts';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const tenantId = `enum-${randomBytes(3).toString('hex')}`;
let world: GatewayWorld;

beforeAll(async () => {
  // Room for every failure this file makes from one address: the limits have tests of their own.
  world = await startGatewayWorld({ env: { WEBHOOK_UNVERIFIED_RATE_LIMIT_MAX: '100000' } });
  await world.store.createTenant(newTenant(tenantId));
});
afterAll(() => world?.close());

const post = (tenant: string, body: string, signature?: string) =>
  world.app.inject({
    method: 'POST',
    url: `/webhooks/loop/${tenant}`,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-loop-signature': signature } : {}) },
    payload: body,
  });

/** What a caller can observe of an answer, apart from what differs on every answer anyway. */
const observable = (response: Awaited<ReturnType<typeof post>>) => {
  const { date: _date, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: response.body };
};

describe('webhooks for unknown tenants', () => {
  it('are answered exactly as a bad signature on a real tenant is', async () => {
    const { body } = loopReturns().webhook();
    const wrongKey = sign(body, 'a guess');
    const realTenantBadSignature = observable(await post(tenantId, body, wrongKey));
    expect(realTenantBadSignature.status).toBe(401);
    for (const unknown of ['no-such-tenant', 'z'.repeat(63), 'Not-A-Valid-ID', `${tenantId}x`]) {
      expect(observable(await post(unknown, body, wrongKey))).toEqual(realTenantBadSignature);
      expect(observable(await post(unknown, body))).toEqual(observable(await post(tenantId, body)));
    }
    expect(world.starts).toEqual([]);
  });

  it('read the store once per unknown ID, however often it is tried', async () => {
    const getTenant = vi.spyOn(world.store, 'getTenant');
    const getTenantSecrets = vi.spyOn(world.store, 'getTenantSecrets');
    try {
      const { body } = loopReturns().webhook();
      for (let i = 0; i < 50; i++) {
        expect((await post('probed-tenant', body, sign(body, `guess ${i}`))).statusCode).toBe(401);
      }
      const reads = [...getTenant.mock.calls, ...getTenantSecrets.mock.calls].filter(
        ([id]) => id === 'probed-tenant',
      );
      expect(reads).toHaveLength(1);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
