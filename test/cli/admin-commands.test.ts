// The CLI's admin-API commands against the real gateway, with return workflows running on the dev server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReturnState } from '../../workflows/messages.ts';
import { startCliWorld } from './cli-world.ts';

const tenant = 'cli-admin';

describe('CLI admin commands (through the gateway admin API)', () => {
  let world: Awaited<ReturnType<typeof startCliWorld>>;
  let nextOrder = 3001;
  const newReturn = async () => {
    const orderName = `#${nextOrder++}`;
    world.pipeline.seedOrder(orderName.slice(1), ['TEE-BLK-M']);
    const loopReturn = world.pipeline.submitReturn(orderName, [
      { sku: 'TEE-BLK-M', returnReason: 'Too small' },
    ]);
    const handle = await world.pipeline.start(loopReturn);
    return { loopReturn, handle };
  };

  beforeAll(async () => {
    world = await startCliWorld(tenant, { sweeperIntervalMs: '1s' });
    await world.pipeline.startSweeper();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('tenants list: a table, or JSON with --json', async () => {
    const table = await world.cli(['tenants', 'list']);
    expect(table).toMatchObject({ code: 0, err: '' });
    expect(table.out).toMatch(/^TENANT\s+NAME\s+STATUS/);
    expect(table.out).toMatch(/cli-admin\s+Demo Store\s+active\s+Main Warehouse\s+process\s+Damaged/);

    const json = await world.cli(['tenants', 'list', '--json']);
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ tenantId: tenant, paused: false })]);
  });

  it('invite create: prints a single-use onboarding link', async () => {
    const run = await world.cli(['invite', 'create', '--note', 'Acme Outdoor', '--ttl-hours', '48']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(new RegExp(`${world.gatewayUrl}/onboarding/\\S+`));
    const [invite] = (await world.pipeline.store.invites.list()).filter((i) => i.note === 'Acme Outdoor');
    expect(invite).toBeDefined();
    const hours = (invite!.expiresAt.getTime() - invite!.createdAt.getTime()) / 3_600_000;
    expect(hours).toBeCloseTo(48, 1);

    const json = await world.cli(['invite', 'create', '--json']);
    const created = JSON.parse(json.out) as { id: unknown; url: unknown };
    expect(typeof created.id).toBe('string');
    expect(created.url).toMatch(/\/onboarding\//);
  });

  it('invite create --tenant: a link that changes a connected tenant', async () => {
    const run = await world.cli(['invite', 'create', '--tenant', tenant]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Onboarding link to change tenant "${tenant}"`);
    const invites = await world.pipeline.store.invites.list();
    expect(invites).toContainEqual(expect.objectContaining({ kind: 'change', tenantId: tenant }));

    const missing = await world.cli(['invite', 'create', '--tenant', 'no-such-tenant']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No tenant "no-such-tenant".');
  });

  it('return show: stage, Finale return and timeline, or the state as JSON', async () => {
    const { loopReturn, handle } = await newReturn();
    await world.pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
    const shown = await world.cli(['return', 'show', tenant, loopReturn.id]);
    expect(shown).toMatchObject({ code: 0, err: '' });
    expect(shown.out).toContain(`Loop return ${loopReturn.id} of tenant ${tenant}`);
    expect(shown.out).toMatch(/Stage\s+awaiting-finale-completion — Waiting for the warehouse/);
    expect(shown.out).toMatch(new RegExp(`Finale return\\s+LOOP-${loopReturn.id}`));
    expect(shown.out).toMatch(/Timeline\n.*received/);

    const finale = world.pipeline.finaleReturns().find((r) => r.returnId === `LOOP-${loopReturn.id}`)!;
    world.pipeline.finale.state.completeReturn(finale.returnUrl);
    await handle.result();
    const json = await world.cli(['return', 'show', tenant, loopReturn.id, '--json']);
    expect(JSON.parse(json.out) as ReturnState).toMatchObject({ stage: 'done', outcome: 'processed' });
  });

  it('return show: where the Finale return went and what the warehouse received differently', async () => {
    const { loopReturn, handle } = await newReturn();
    const waiting = await world.pipeline.waitForState(
      loopReturn.id,
      (s) => s.stage === 'awaiting-finale-completion',
    );
    world.pipeline.finale.state.completeReturn(waiting.finaleReturn!.returnUrl, { items: [] });
    expect((await handle.result()).outcome).toBe('flagged');
    const shown = await world.cli(['return', 'show', tenant, loopReturn.id]);
    expect(shown.out).toMatch(
      new RegExp(`Finale return\\s+LOOP-${loopReturn.id} \\(.*\\) at Main Warehouse`),
    );
    expect(shown.out).toMatch(/Received\s+\S+: expected 1, received 0/);
  });

  it('return show: an unknown return is reported, exit 1', async () => {
    const run = await world.cli(['return', 'show', tenant, '999999999']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/No workflow for Loop return 999999999/);
  });

  it('return retry: resumes a return parked in needs-attention once its cause is fixed', async () => {
    await world.pipeline.store.updateSettings(tenant, { destinationFacilityName: 'Nowhere' });
    const { loopReturn } = await newReturn();
    const parked = await world.pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    expect(parked.lastError?.class).toBe('config');

    const shown = await world.cli(['return', 'show', tenant, loopReturn.id]);
    expect(shown.out).toMatch(/Last error\s+\[config\//);
    expect(shown.out).toMatch(/Suggested fix\s+\S/);

    await world.pipeline.store.updateSettings(tenant, { destinationFacilityName: 'Main Warehouse' });
    const run = await world.cli(['return', 'retry', tenant, loopReturn.id, '--by', 'ops@example.com']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/Retry accepted/);
    const resumed = await world.pipeline.waitForState(
      loopReturn.id,
      (s) => s.stage === 'awaiting-finale-completion',
    );
    expect(resumed.timeline.map((e) => e.event)).toContain('retry requested by ops@example.com');
  });

  it('return retry: refuses with exit 1 when nothing waits for a retry', async () => {
    const { loopReturn } = await newReturn();
    await world.pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
    const run = await world.cli(['return', 'retry', tenant, loopReturn.id]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Not retried: Nothing to retry: the return is awaiting-finale-completion/);
  });

  it('return fix-lines: gives a line without a SKU its Finale product; show lists the line and the fix', async () => {
    const orderName = `#${nextOrder++}`;
    world.pipeline.seedOrder(orderName.slice(1), ['TEE-BLK-M', 'CAP-RED']);
    const loopReturn = world.pipeline.submitReturn(orderName, [
      { sku: 'TEE-BLK-M', returnReason: 'Too small' },
      { sku: '', title: 'Logo Cap - Red', returnReason: 'Too small' },
    ]);
    await world.pipeline.start(loopReturn);
    await world.pipeline.waitForState(loopReturn.id, (s) => s.lastError?.code === 'MissingSku');
    const line = loopReturn.lineItems.find((item) => item.sku === '')!;
    const shown = await world.cli(['return', 'show', tenant, loopReturn.id]);
    expect(shown.out).toMatch(new RegExp(`Lines without SKU\\s+line ${line.id} "Logo Cap - Red"`));
    expect(shown.out).toMatch(/Suggested fix\s+.*return fix-lines/);

    const bad = await world.cli(['return', 'fix-lines', tenant, loopReturn.id, '--line', 'CAP-RED']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--line takes <lineId>=<productId>/);

    const run = await world.cli([
      'return',
      'fix-lines',
      tenant,
      loopReturn.id,
      '--line',
      `${line.id}=CAP-RED`,
      '--by',
      'ops@example.com',
    ]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/Lines fixed/);
    const resumed = await world.pipeline.waitForState(
      loopReturn.id,
      (s) => s.stage === 'awaiting-finale-completion',
    );
    expect(resumed.timeline.map((e) => e.event)).toContain(
      `line ${line.id} "Logo Cap - Red" returned as Finale product CAP-RED (by ops@example.com)`,
    );
    const after = await world.cli(['return', 'show', tenant, loopReturn.id]);
    expect(after.out).toMatch(
      new RegExp(`Line fixes\\s+line ${line.id} as CAP-RED \\(by ops@example.com\\)`),
    );

    const again = await world.cli([
      'return',
      'fix-lines',
      tenant,
      loopReturn.id,
      '--skip-lines-without-sku',
      '--by',
      'ops@example.com',
    ]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/Not fixed: No line waits for a fix/);
  });

  it('reads the admin token from ADMIN_TOKEN before DATA_DIR, and reports a wrong one with exit 2', async () => {
    const wrong = await world.cli(['tenants', 'list'], { ADMIN_TOKEN: 'not-the-right-token-0123456789' });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/refused the admin token/);
  });

  it('explains a missing admin token and an unreachable gateway, exit 2', async () => {
    const noToken = await world.cli(['tenants', 'list'], { DATA_DIR: '/nonexistent-data-dir' });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/No admin token: set ADMIN_TOKEN/);

    const down = await world.cli(['tenants', 'list', '--gateway-url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/Cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
  });
});
