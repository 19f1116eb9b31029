// history export / replay on a real return's history: the exported fixture carries no secrets or customer
// PII, replays cleanly against the current code, and fails the replay of a non-deterministic change.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenantSecrets } from '../../sandbox/demo-world.ts';
import { startCliWorld } from './cli-world.ts';

const changedWorkflows = fileURLToPath(new URL('./workflows/changed-return-workflow.ts', import.meta.url));

const tenant = 'cli-history';

describe('CLI history commands', () => {
  let world: Awaited<ReturnType<typeof startCliWorld>>;
  let dir: string;
  let file: string;
  let loopReturnId: string;

  beforeAll(async () => {
    world = await startCliWorld(tenant);
    dir = await mkdtemp(path.join(os.tmpdir(), 'cli-history-'));
    world.pipeline.seedOrder('4001', ['TEE-BLK-M', 'CAP-RED']);
    const loopReturn = world.pipeline.submitReturn('#4001', [
      { sku: 'TEE-BLK-M', returnReason: 'Too small' },
      { sku: 'CAP-RED', returnReason: 'Damaged' },
    ]);
    loopReturnId = loopReturn.id;
    const handle = await world.pipeline.start(loopReturn);
    await world.pipeline.waitForState(loopReturnId, (s) => s.stage === 'awaiting-finale-completion');
    const finale = world.pipeline.finaleReturns().find((r) => r.returnId === `LOOP-${loopReturnId}`)!;
    world.pipeline.finale.state.completeReturn(finale.returnUrl);
    await world.pipeline.handle(loopReturnId).signal('finaleReturnChanged', {
      version: 1,
      statusId: 'RETURN_COMPLETED',
    });
    expect((await handle.result()).outcome).toBe('flagged');
    file = path.join(dir, 'flagged-return.json');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('history export: writes the full history as JSON, free of secrets and customer PII', async () => {
    const run = await world.cli(['history', 'export', tenant, loopReturnId, file]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(new RegExp(`Exported \\d+ events of return/${tenant}/${loopReturnId} to `));
    const text = await readFile(file, 'utf8');
    const events = (JSON.parse(text) as { events: { eventType: string }[] }).events;
    expect(events[0]?.eventType).toMatch(/WORKFLOW_EXECUTION_STARTED/);
    expect(events.at(-1)?.eventType).toMatch(/WORKFLOW_EXECUTION_COMPLETED/);
    for (const secret of Object.values(demoTenantSecrets)) expect(text).not.toContain(secret);
    // The Loop simulator gives every return a customer with this e-mail, name and address.
    const customer = world.pipeline.loop.state.getReturn(Number(loopReturnId)).return.customer;
    expect(customer).toEqual(expect.any(String));
    expect(text).not.toContain(customer as string);
    expect(text).not.toMatch(/Jane|Doe|Main St/);
  });

  it('history export: an unknown return is reported, exit 1', async () => {
    const run = await world.cli(['history', 'export', tenant, '424242', path.join(dir, 'x.json')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/No workflow return\/cli-history\/424242 in namespace default/);
  });

  it('history export: an unreachable Temporal is reported, exit 2', async () => {
    const run = await world.cli([
      'history',
      'export',
      tenant,
      loopReturnId,
      path.join(dir, 'y.json'),
      '--temporal-address',
      '127.0.0.1:9',
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/Cannot reach Temporal at 127\.0\.0\.1:9/);
  });

  it('history replay: the current workflow code reproduces the history', async () => {
    const run = await world.cli(['history', 'replay', file]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/deterministic/);
  });

  it('history replay: catches a non-deterministic change, exit 1', async () => {
    const run = await world.cli(['history', 'replay', file, '--workflows', changedWorkflows]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Non-deterministic: .*changed-return-workflow\.ts does not reproduce/);
    expect(run.err).toMatch(/patched\(\)/);
  });

  it('history replay: a missing or malformed file is a usage error, exit 2', async () => {
    const missing = await world.cli(['history', 'replay', path.join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot read/);
    const junk = path.join(dir, 'junk.json');
    await writeFile(junk, 'not json');
    const malformed = await world.cli(['history', 'replay', junk]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/is not a workflow history JSON/);
  });
});
