// Issue 10, gap 1: the demo tenant's webhook secret is public (sandbox/demo-world.ts). Outside demo mode the
// gateway answers its webhooks exactly as it answers an unknown tenant's, starting nothing, and its API
// calls never go to the real APIs.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantClients } from '../../activities/tenant-clients.ts';
import { apiEndpoints } from '../../config/api-endpoints.ts';
import { processLocalBudgets } from '../../integrations/rate-limiter.ts';
import { demoLoopShop, demoTenant, demoTenantSettings } from '../../sandbox/demo-world.ts';
import { openStore } from '../../store/open-store.ts';
import { loopReturns, sign } from '../gateway/gateway-fixture.ts';
import { ADMIN_TOKEN, startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const demoId = demoTenantSettings.tenantId;
let production: GatewayWorld;
let demoMode: GatewayWorld;

beforeAll(async () => {
  // One store behind two gateways: one outside demo mode (production), one in npm start's demo mode.
  const store = await openStore({ secretKey: randomBytes(32) });
  // As npm start's demo seeding leaves it once real tenants exist: marked, and paused.
  await store.upsertTenant(demoTenant());
  await store.markDemo(demoId);
  await store.pauseTenant(demoId);
  production = await startGatewayWorld({ store });
  demoMode = await startGatewayWorld({ store, demoMode: true });
});
afterAll(async () => {
  await production?.close();
  await demoMode?.close();
});

const signedByAnyone = (world: GatewayWorld, tenantId: string) => {
  const { body } = loopReturns().webhook('return.created');
  return world.app.inject({
    method: 'POST',
    url: `/webhooks/loop/${tenantId}`,
    headers: {
      'content-type': 'application/json',
      'x-loop-signature': sign(body, demoLoopShop.webhookSecret),
    },
    payload: body,
  });
};

describe('the demo tenant outside demo mode', () => {
  it('is refused like an unknown tenant, and starts nothing', async () => {
    const demo = await signedByAnyone(production, demoId);
    const unknown = await signedByAnyone(production, 'no-such-tenant');
    expect(demo.statusCode).toBe(401);
    expect(demo.body).toBe(unknown.body);
    expect(production.starts).toEqual([]);
  });

  it('is served only while demo mode runs', async () => {
    const demo = await signedByAnyone(demoMode, demoId);
    expect(demo.statusCode).toBe(202);
    expect(demoMode.starts).toHaveLength(1);
  });

  it('never gets API clients for the real APIs', async () => {
    const clientsFor = createTenantClients(
      production.store,
      apiEndpoints({
        FINALE_BASE_URL: 'https://app.finaleinventory.com',
        LOOP_BASE_URL: 'https://api.loopreturns.com/api',
        LOOP_API_VERSION: '2026-07',
      }),
      undefined,
      { budgets: processLocalBudgets() },
    );
    await expect(clientsFor(demoId)).rejects.toMatchObject({
      type: 'DemoTenantOutsideDemoMode',
      nonRetryable: true,
    });
  });

  it('cannot be made by onboarding, nor changed through a link', async () => {
    const created = await production.store.createTenant(demoTenant({ tenantId: 'looks-like-demo' }));
    expect(created.demo).toBe(false);
    const changeLink = await production.app.inject({
      method: 'POST',
      url: '/admin/invites',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { tenantId: demoId },
    });
    expect(changeLink.statusCode).toBe(409);
  });
});
