// Routing by Loop destination, on the dev server against both simulators: each mapped destination's returns
// are created at its own Finale location, a destination not handled in Finale is skipped before any Finale
// call (also when the sweeper finds a return whose webhook never came), and a destination added in Loop after
// onboarding follows the tenant's setting. The demo shop's destinations are 7101 (Main Warehouse) and 7102
// (Overflow), matching the demo Finale account's two locations.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantSettingsInput } from '../../config/tenant-settings.ts';
import { retryUpdate } from '../../workflows/messages.ts';
import { finaleReturnIdFor } from '../../workflows/return-plan.ts';
import { sweepNowSignal, sweeperStateQuery } from '../../workflows/tenant-sweeper.ts';
import { sweeperWorkflowId } from '../../workflows/ids.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { connectToDevServer } from '../support/temporal.ts';

const LOOP_ACTIONS = ['process', 'close', 'flag', 'note', 'cancel'].map(
  (action) => `POST /warehouse/return/:id/${action}`,
);
const COLLECTION_READS = 'GET /:account/api/return (collection)';
const LOOP_LIST = 'GET /warehouse/return/list';

/** As onboarding records them: every destination Loop had then, each where the merchant chose. */
const onboardedMap: NonNullable<TenantSettingsInput['destinationMap']> = {
  '7101': { route: 'default', loopName: 'Main Warehouse' },
  '7102': { route: 'location', facilityName: 'Overflow', loopName: 'Overflow' },
};

describe('routing returns by Loop destination, on the dev server', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let nextOrder = 3001;
  const newOrder = (skus: string[]) => {
    const number = String(nextOrder++);
    pipeline.seedOrder(number, skus);
    return `#${number}`;
  };
  const facilityUrlOf = (name: string) =>
    pipeline.finale.state.account(pipeline.account)?.facilities.find((f) => f.facilityName === name)
      ?.facilityUrl;
  const finaleReturnOf = (loopReturnId: string) =>
    pipeline.finaleReturns().filter((r) => r.returnId === finaleReturnIdFor(loopReturnId));
  const loopActions = () => LOOP_ACTIONS.reduce((sum, endpoint) => sum + pipeline.loopCalls(endpoint), 0);
  /** Calls so far, except the sweeper's (Finale's collection reads, Loop's list). */
  const besidesSweeps = (calls: Record<string, number>, sweeps: string) =>
    Object.entries(calls)
      .filter(([endpoint]) => endpoint !== sweeps)
      .reduce((sum, [, n]) => sum + n, 0);
  const finaleCalls = () =>
    besidesSweeps(pipeline.finale.state.calls.snapshot().byEndpoint, COLLECTION_READS);
  const loopCalls = () => besidesSweeps(pipeline.loop.state.calls.snapshot().byEndpoint, LOOP_LIST);
  const sweeper = () => dev.client.workflow.getHandle(sweeperWorkflowId(pipeline.tenantId));
  /** Asks the sweeper for a pass and waits until it has run. */
  async function sweepOnce() {
    const passes = (await sweeper().query(sweeperStateQuery)).passes;
    await sweeper().signal(sweepNowSignal);
    for (let i = 0; i < 300; i++) {
      const state = await sweeper().query(sweeperStateQuery);
      if (state.passes > passes && !state.busy) return;
      await delay(100);
    }
    throw new Error('the sweeper made no pass');
  }

  async function withSettings(patch: Partial<TenantSettingsInput>, run: () => Promise<void>) {
    const before = (await pipeline.store.getTenant(pipeline.tenantId))!.settings;
    await pipeline.store.updateSettings(pipeline.tenantId, patch);
    try {
      await run();
    } finally {
      await pipeline.store.updateSettings(pipeline.tenantId, before);
    }
  }

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      // Passes only when asked for (sweepNow), so the sweeper's calls are known.
      settings: { destinationMap: onboardedMap, sweeperIntervalMs: '1h' },
    });
    await pipeline.startSweeper();
  });

  afterAll(async () => {
    await dev?.client.workflow
      .getHandle(sweeperWorkflowId(pipeline.tenantId))
      .terminate('test over')
      .catch(() => undefined);
    await pipeline?.close();
    await dev?.close();
  });

  it('creates each return at the Finale location its destination is mapped to', async () => {
    const toMain = pipeline.submitReturn(newOrder(['TEE-BLK-M']), [{ sku: 'TEE-BLK-M' }], 7101);
    const toOverflow = pipeline.submitReturn(newOrder(['CAP-RED']), [{ sku: 'CAP-RED' }], 7102);
    expect([toMain.destinationId, toOverflow.destinationId]).toEqual(['7101', '7102']);
    await Promise.all([pipeline.start(toMain), pipeline.start(toOverflow)]);

    const [main, overflow] = await Promise.all(
      [toMain, toOverflow].map((r) =>
        pipeline.waitForState(r.id, (s) => s.stage === 'awaiting-finale-completion'),
      ),
    );
    expect(finaleReturnOf(toMain.id).map((r) => r.destinationFacilityUrl)).toEqual([
      facilityUrlOf('Main Warehouse'),
    ]);
    expect(finaleReturnOf(toOverflow.id).map((r) => r.destinationFacilityUrl)).toEqual([
      facilityUrlOf('Overflow'),
    ]);
    expect(main?.finaleReturn?.facilityName).toBe('Main Warehouse');
    expect(overflow?.finaleReturn?.facilityName).toBe('Overflow');
    expect(overflow?.timeline.map((t) => t.event)).toContain(
      `Finale return ${finaleReturnIdFor(toOverflow.id)} created at Overflow`,
    );
  });

  it('skips a return to a destination not handled in Finale: no Finale call, no Loop action', async () => {
    await withSettings(
      { destinationMap: { ...onboardedMap, '7102': { route: 'not-handled', loopName: 'Overflow' } } },
      async () => {
        const loopReturn = pipeline.submitReturn(newOrder(['CAP-RED']), [{ sku: 'CAP-RED' }], 7102);
        const finaleBefore = finaleCalls();
        const loopActionsBefore = loopActions();
        const result = await (await pipeline.start(loopReturn)).result();
        await pipeline.recordHistory('skipped', pipeline.handle(loopReturn.id).workflowId);

        expect(result).toMatchObject({ stage: 'skipped', outcome: 'skipped' });
        expect(result.finaleReturn).toBeUndefined();
        expect(result.timeline.at(-1)?.event).toBe(
          'Loop destination 7102 (Overflow) is not handled in Finale: skipped, Loop left alone',
        );
        expect(finaleCalls()).toBe(finaleBefore);
        expect(loopActions()).toBe(loopActionsBefore);
        expect(finaleReturnOf(loopReturn.id)).toEqual([]);
        expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).state).toBe('open');
      },
    );
  });

  it('skips it the same way when the sweeper finds a return whose webhook never came', async () => {
    await withSettings(
      { destinationMap: { ...onboardedMap, '7102': { route: 'not-handled' } } },
      async () => {
        const orderName = newOrder(['CAP-RED']);
        const seeded = pipeline.loop.state.seedReturn({
          orderName,
          destinationId: 7102,
          updatedAt: new Date(Date.now() - 3 * 60_000),
          items: [{ sku: 'CAP-RED', returnReason: 'Too small' }],
        });
        const loopReturnId = String(seeded.id);
        const finaleBefore = finaleCalls();
        const loopActionsBefore = loopActions();

        await sweepOnce();
        const result = await pipeline.handle(loopReturnId).result();
        expect(result).toMatchObject({ stage: 'skipped', outcome: 'skipped' });
        expect(result.timeline[0]?.event).toBe('received (sweeper)');
        // A later pass starts nothing again for it: the skipped workflow keeps its ID.
        await sweepOnce();
        expect((await pipeline.handle(loopReturnId).describe()).status.name).toBe('COMPLETED');
        expect(finaleCalls()).toBe(finaleBefore);
        expect(loopActions()).toBe(loopActionsBefore);
      },
    );
  });

  describe('a destination added in Loop after onboarding', () => {
    let added: number;
    beforeAll(() => {
      added = pipeline.loop.state.seedDestination({
        shopId: pipeline.shopId,
        name: 'Pop-up Store',
      }).id;
    });

    it('goes to the destination facility when the tenant says so (the default)', async () => {
      const loopReturn = pipeline.submitReturn(newOrder(['MUG-WHT']), [{ sku: 'MUG-WHT' }], added);
      await pipeline.start(loopReturn);
      const state = await pipeline.waitForState(
        loopReturn.id,
        (s) => s.stage === 'awaiting-finale-completion',
      );
      expect(state.finaleReturn?.facilityName).toBe('Main Warehouse');
      expect(finaleReturnOf(loopReturn.id).map((r) => r.destinationFacilityUrl)).toEqual([
        facilityUrlOf('Main Warehouse'),
      ]);
    });

    it('is held for review when the tenant says so, and goes where it is mapped once it is', async () => {
      await withSettings({ unmappedDestinations: 'hold', needsAttentionRecheckMs: '6h' }, async () => {
        const loopReturn = pipeline.submitReturn(newOrder(['MUG-WHT']), [{ sku: 'MUG-WHT' }], added);
        const finaleBefore = finaleCalls();
        const handle = await pipeline.start(loopReturn);
        const held = await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
        expect(held.lastError).toMatchObject({ class: 'config', code: 'DestinationNotMapped' });
        expect(held.lastError?.message).toBe(
          `Loop destination ${added} is not in the destination map (added in Loop after onboarding?): held for review`,
        );
        expect(held.lastError?.fix).toContain(`invite create --tenant ${pipeline.tenantId}`);
        expect(finaleCalls()).toBe(finaleBefore);

        await pipeline.store.updateSettings(pipeline.tenantId, {
          destinationMap: {
            ...onboardedMap,
            [String(added)]: { route: 'location', facilityName: 'Overflow', loopName: 'Pop-up Store' },
          },
        });
        await handle.executeUpdate(retryUpdate, { args: [{ version: 1, by: 'ops' }] });
        const moved = await pipeline.waitForState(
          loopReturn.id,
          (s) => s.stage === 'awaiting-finale-completion',
        );
        expect(moved.finaleReturn?.facilityName).toBe('Overflow');
        pipeline.finale.state.completeReturn(moved.finaleReturn!.returnUrl);
        await sweepOnce();
        expect((await handle.result()).outcome).toBe('processed');
        await pipeline.recordHistory('destination-held-until-mapped', handle.workflowId);
        expect(finaleReturnOf(loopReturn.id).map((r) => r.destinationFacilityUrl)).toEqual([
          facilityUrlOf('Overflow'),
        ]);
      });
    });
  });

  it('adds one Loop note naming the Finale return and location when the tenant asks: 2 Loop calls in all', async () => {
    await withSettings({ loopNoteOnCreate: true }, async () => {
      const loopReturn = pipeline.submitReturn(newOrder(['CAP-RED']), [{ sku: 'CAP-RED' }], 7102);
      const loopBefore = loopCalls();
      const handle = await pipeline.start(loopReturn);
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      const [created] = finaleReturnOf(loopReturn.id);
      pipeline.finale.state.completeReturn(created!.returnUrl);
      await sweepOnce();
      const result = await handle.result();
      expect(result.outcome).toBe('processed');
      expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).notes.map((n) => n.content)).toEqual([
        `Finale return ${finaleReturnIdFor(loopReturn.id)} created at Overflow`,
      ]);
      expect(result.timeline.map((t) => t.event)).toContain('Loop note added: where the return went');
      // The webhook's snapshot spares the Loop read: the note and the process call.
      expect(loopCalls() - loopBefore).toBe(2);
    });
  });
});
