// Issue 10, gap 9: typed secrets were echoed into `value=` attributes when the onboarding form was rendered
// again (a validation error, "Check Finale credentials", "Add more rows"). Now no page ever holds a secret:
// the fields come back empty, asking for them again.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finaleAccount, loopKeys, validFields } from '../gateway/onboarding/world.ts';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

let world: GatewayWorld;
beforeAll(async () => {
  world = await startGatewayWorld();
});
afterAll(() => world?.close());

const secrets = [finaleAccount.apiKey, finaleAccount.apiSecret, loopKeys.full, loopKeys.webhookSecret];

describe('the onboarding form', () => {
  it.each([
    ['a validation error', { destinationFacilityName: 'main warehouse' }],
    ['every field wrong', { displayName: '', completionAction: 'refund', 'reason-id-0': '##user_3' }],
    ['"Check Finale credentials"', { intent: 'check-finale' }],
    ['"Add more rows"', { intent: 'add-rows' }],
    ['"Use this name"', { useFacility: 'Main Warehouse' }],
  ])('writes no typed secret back into the page after %s', async (_what, overrides) => {
    const token = await world.newLink();
    const tenantId = `form-${randomBytes(3).toString('hex')}`;
    const page = await world.postForm(token, { ...validFields(tenantId), ...overrides });
    expect(page.statusCode).toBeLessThan(500);
    expect(page.body).toContain('name="finaleApiKey"');
    for (const secret of secrets) expect(page.body).not.toContain(secret);
  });

  it('writes none into the page of a store being changed either', async () => {
    const tenantId = `form-${randomBytes(3).toString('hex')}`;
    expect((await world.postForm(await world.newLink(), validFields(tenantId))).statusCode).toBe(303);
    const token = await world.newLink(tenantId);
    const form = await world.app.inject({ url: `/onboarding/${token}` });
    const failed = await world.postForm(token, {
      ...validFields(tenantId),
      destinationFacilityName: 'Nowhere',
    });
    expect(failed.statusCode).toBe(422);
    for (const page of [form.body, failed.body]) {
      for (const secret of secrets) expect(page).not.toContain(secret);
    }
  });
});
