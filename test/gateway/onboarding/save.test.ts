import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnTriggers } from '../../../integrations/loop/webhook-topics.ts';
import { sweeperWorkflowId } from '../../../workflows/ids.ts';
import { pgliteTarget, type StoreTarget } from '../../store/store-targets.ts';
import {
  elements,
  fieldError,
  finaleAccount,
  inputValue,
  loopKeys,
  startOnboardingWorld,
  uniqueTenantId,
  validFields,
  type OnboardingWorld,
} from './world.ts';

const publicBaseUrl = 'https://returns.example.com';
const secretKey = randomBytes(32);
let target: StoreTarget;
let world: OnboardingWorld;
const sweepers: string[] = [];

beforeAll(async () => {
  // A database the test can read underneath the store, to see what is really at rest.
  target = await pgliteTarget();
  world = await startOnboardingWorld({ store: await target.open(secretKey), publicBaseUrl });
});
afterAll(async () => {
  await Promise.all(
    sweepers.map((id) =>
      world.temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await world.close();
  await target.dispose();
});

async function onboard(tenantId: string, overrides: Record<string, string> = {}) {
  const token = await world.newLink();
  const response = await world.post(token, { ...validFields(tenantId), ...overrides });
  sweepers.push(sweeperWorkflowId(tenantId));
  return { token, response };
}

describe('saving the onboarding form', () => {
  it('saves the tenant, registers active Loop webhooks, starts the sweeper and goes to the test page', async () => {
    const tenantId = uniqueTenantId();
    const { token, response } = await onboard(tenantId);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/onboarding/${token}/test`);

    const tenant = await world.store.getTenant(tenantId);
    expect(tenant?.settings).toMatchObject({
      tenantId,
      displayName: 'Acme Outdoor',
      finaleAccountName: finaleAccount.name,
      destinationFacilityName: 'Main Warehouse',
      reasonMap: { Damaged: '##user_00003', 'Too small': '##user_00001' },
      flagReasons: ['Damaged'],
      completionAction: 'process',
      paused: false,
    });
    expect(await world.store.getTenantSecrets(tenantId)).toEqual({
      finaleApiKey: finaleAccount.apiKey,
      finaleApiSecret: finaleAccount.apiSecret,
      loopApiKey: loopKeys.full,
      loopWebhookSecret: loopKeys.webhookSecret,
    });
    const lookup = await world.store.invites.lookup(token);
    expect(lookup).toMatchObject({
      status: 'valid',
      invite: { tenantId, usedAt: expect.any(Date) as unknown },
    });

    const url = `${publicBaseUrl}/webhooks/loop/${tenantId}`;
    const subscriptions = world.webhooks().filter((webhook) => webhook.url === url);
    expect(subscriptions.map((w) => [w.topic, w.trigger, w.status]).sort()).toEqual(
      returnTriggers.map((trigger) => ['return', trigger, 'active']).sort(),
    );

    const sweeper = await world.temporal.client.workflow.getHandle(sweeperWorkflowId(tenantId)).describe();
    expect(sweeper.status.name).toBe('RUNNING');
    expect(sweeper.taskQueue).toBe(world.taskQueue);

    const testPage = await world.get(token, '/test');
    expect(testPage.statusCode).toBe(200);
    expect(testPage.body).toContain('Test with a live return');
    expect(testPage.body).toContain(`<code>${url}</code>`);
    expect(testPage.body).toContain('No returns yet.');
    const fragment = await world.get(token, '/test/returns');
    expect(fragment.body).toContain('id="no-returns"');
  });

  it('changes a tenant through an operator’s change link: settings filled in, Loop secrets typed again', async () => {
    const tenantId = uniqueTenantId();
    await onboard(tenantId);
    await world.store.pauseTenant(tenantId);
    const token = await world.changeLink(tenantId);

    const form = await world.get(token);
    expect(form.body).toContain('Update your Finale connection');
    expect(inputValue(form.body, 'tenantId')).toBe(tenantId);
    expect(elements(form.body, 'input').find((input) => input.name === 'tenantId')).toHaveProperty(
      'readonly',
    );
    expect(inputValue(form.body, 'destinationFacilityName')).toBe('Main Warehouse');
    expect(inputValue(form.body, 'reason-label-1')).toBe('Too small');
    expect(inputValue(form.body, 'reason-id-1')).toBe('##user_00001');
    expect(inputValue(form.body, 'flagReasons')).toBe('Damaged');
    for (const secret of ['finaleApiKey', 'finaleApiSecret', 'loopApiKey', 'loopWebhookSecret']) {
      expect(inputValue(form.body, secret)).toBe('');
    }
    expect(form.body).not.toContain(finaleAccount.apiSecret);

    const edited = await world.post(token, {
      ...validFields('ignored-the-link-fixes-the-id'),
      finaleApiKey: '',
      finaleApiSecret: '',
      loopWebhookSecret: 'rotated-webhook-secret',
      destinationFacilityName: 'Overflow',
      completionAction: 'close',
    });
    expect(edited.statusCode).toBe(303);
    const tenant = await world.store.getTenant(tenantId);
    expect(tenant?.settings).toMatchObject({
      destinationFacilityName: 'Overflow',
      completionAction: 'close',
      paused: true,
    });
    expect(await world.store.getTenant('ignored-the-link-fixes-the-id')).toBeUndefined();
    expect(await world.store.getTenantSecrets(tenantId)).toEqual({
      finaleApiKey: finaleAccount.apiKey,
      finaleApiSecret: finaleAccount.apiSecret,
      loopApiKey: loopKeys.full,
      loopWebhookSecret: 'rotated-webhook-secret',
    });
    const url = `${publicBaseUrl}/webhooks/loop/${tenantId}`;
    expect(world.webhooks().filter((webhook) => webhook.url === url)).toHaveLength(returnTriggers.length);
  });

  it('keeps blank Finale secrets on a change, checks a retyped one as typed, and wants the Loop ones again', async () => {
    const tenantId = uniqueTenantId();
    await onboard(tenantId);
    const token = await world.changeLink(tenantId);
    const response = await world.post(token, {
      ...validFields(tenantId),
      finaleApiKey: '',
      finaleApiSecret: 'retyped-wrong',
      loopApiKey: '',
      loopWebhookSecret: '',
    });
    expect(response.statusCode).toBe(422);
    expect(fieldError(response.body, 'finaleApiSecret')).toMatch(/Finale rejected this API key and secret/);
    expect(fieldError(response.body, 'loopApiKey')).toMatch(/^Type your Loop API key again/);
    expect(fieldError(response.body, 'loopWebhookSecret')).toMatch(/^Type your Loop webhook secret again/);
    expect((await world.store.getTenantSecrets(tenantId)).finaleApiSecret).toBe(finaleAccount.apiSecret);
  });

  it('refuses a store ID another tenant already has, and a link saves once', async () => {
    const taken = uniqueTenantId();
    await onboard(taken);
    const token = await world.newLink();
    const clash = await world.post(token, validFields(taken));
    expect(clash.statusCode).toBe(422);
    expect(fieldError(clash.body, 'tenantId')).toMatch(/^The store ID “acme-[0-9a-f]{8}” is already taken/);

    const first = uniqueTenantId();
    sweepers.push(sweeperWorkflowId(first));
    expect((await world.post(token, validFields(first))).statusCode).toBe(303);
    // The link has connected `first`: it changes nothing more, and makes no second tenant.
    const second = uniqueTenantId();
    const again = await world.post(token, validFields(second));
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('This link has been used');
    expect(await world.store.getTenant(second)).toBeUndefined();
    const reopened = await world.get(token);
    expect(reopened.body).toContain('This link has been used');
    expect(reopened.body).not.toContain('<form');
  });

  it('keeps secrets encrypted at rest', async () => {
    const tenantId = uniqueTenantId();
    await onboard(tenantId);
    await world.store.close();
    const [row] = await target.raw('SELECT * FROM tenants WHERE id = $1', [tenantId]);
    const raw = JSON.stringify(row);
    expect(raw).toContain('Main Warehouse');
    for (const secret of [
      finaleAccount.apiKey,
      finaleAccount.apiSecret,
      loopKeys.full,
      loopKeys.webhookSecret,
    ]) {
      expect(raw).not.toContain(secret);
    }
    await world.useStore(await target.open(secretKey));
    expect((await world.store.getTenantSecrets(tenantId)).loopApiKey).toBe(loopKeys.full);
  });
});
