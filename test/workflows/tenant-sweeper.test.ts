import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweeperWorkflowId } from '../../workflows/ids.ts';
import {
  sweepNowSignal,
  sweeperStateQuery,
  type TenantSweeperState,
} from '../../workflows/tenant-sweeper.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { connectToDevServer } from '../support/temporal.ts';

const RETURN_READS = 'GET /:account/api/return (collection)';
const RETURN_READ = 'GET /:account/api/return/:id';
const OPEN_RETURNS = 50;

describe('tenant sweeper', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  const sweeper = () => dev.client.workflow.getHandle(sweeperWorkflowId(pipeline.tenantId));

  async function sweeperIdle(): Promise<TenantSweeperState> {
    for (let i = 0; i < 300; i++) {
      const state = await sweeper().query(sweeperStateQuery);
      if (!state.busy) return state;
      await delay(100);
    }
    throw new Error('the sweeper stayed busy');
  }

  /** Asks for exactly one pass, once the sweeper is idle, and waits until it has finished. */
  async function sweepOnce(): Promise<TenantSweeperState> {
    const before = (await sweeperIdle()).passes;
    await sweeper().signal(sweepNowSignal);
    const after = await sweeperIdle();
    expect(after.passes).toBe(before + 1);
    return after;
  }

  beforeAll(async () => {
    dev = await connectToDevServer();
    // Passes come only when asked for (sweepNow), so every count below belongs to one known pass.
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { sweeperIntervalMs: '1h' },
    });
  });

  afterAll(async () => {
    await pipeline?.close();
    await dev?.close();
  });

  it('finds 5 completions among 50 open returns with one collection read and signals exactly those', async () => {
    const returns = [];
    for (let i = 0; i < OPEN_RETURNS; i++) {
      // Synced under the order name, the first form looked up: no 404 (which would also check the account).
      const orderName = `#${5000 + i}`;
      pipeline.seedOrder(orderName, ['TEE-BLK-M']);
      returns.push(pipeline.submitReturn(orderName, [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }]));
    }
    await Promise.all(returns.map((r) => pipeline.start(r)));
    await Promise.all(
      returns.map((r) =>
        pipeline.waitForState(r.id, (s) => s.stage === 'awaiting-finale-completion', 60_000),
      ),
    );
    // 50 returns arriving together share one facility read of Finale's per-minute budget, and each costs
    // one order GET, one create and its share of the returnId look-ups: the look-ups waiting at once share
    // one collection read.
    expect(pipeline.finaleCalls('GET /:account/api/facility (collection)')).toBe(1);
    const lookupReads = pipeline.finaleCalls(RETURN_READS);
    expect(lookupReads).toBeGreaterThan(0);
    expect(lookupReads).toBeLessThanOrEqual(OPEN_RETURNS);
    expect(pipeline.finale.state.calls.snapshot().total).toBe(1 + 2 * OPEN_RETURNS + lookupReads);
    await pipeline.startSweeper();
    await sweepOnce();

    const completed = returns.slice(10, 15);
    for (const r of completed)
      pipeline.finale.state.completeReturn((await pipeline.state(r.id)).finaleReturn!.returnUrl);
    pipeline.finale.state.calls.reset();
    const processedBefore = pipeline.loopCalls('POST /warehouse/return/:id/process');

    const pass = await sweepOnce();
    expect(pass.lastPass).toMatchObject({ finaleChanges: 5, signalled: 5 });

    for (const r of completed) expect((await pipeline.handle(r.id).result()).outcome).toBe('processed');
    await pipeline.recordHistory('completed-via-sweeper', pipeline.handle(completed[0]!.id).workflowId);
    // One collection read found all five. It left their lines out (the simulator's default, as Finale may),
    // so each return then read its completed return once, to check what the warehouse received.
    const calls = JSON.stringify(pipeline.finale.state.calls.snapshot());
    expect(pipeline.finaleCalls(RETURN_READS), calls).toBe(1);
    expect(pipeline.finaleCalls(RETURN_READ), calls).toBe(5);
    expect(pipeline.finale.state.calls.snapshot().total, calls).toBe(6);
    expect(pipeline.loopCalls('POST /warehouse/return/:id/process') - processedBefore).toBe(5);
    const untouched = returns.filter((r) => !completed.includes(r));
    for (const r of untouched) {
      const state = await pipeline.state(r.id);
      expect(state.stage).toBe('awaiting-finale-completion');
      expect(state.timeline.some((t) => t.event.startsWith('Finale reported'))).toBe(false);
    }
  });

  it('hands the received lines over when the collection read carries them: no return reads one', async () => {
    pipeline.finale.state.updateSettings({ collectionReturnItems: 'include' });
    try {
      const returns = [];
      for (let i = 0; i < 3; i++) {
        const orderName = `#${5100 + i}`;
        pipeline.seedOrder(orderName, ['TEE-BLK-M']);
        returns.push(
          pipeline.submitReturn(orderName, [{ sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 2 }]),
        );
      }
      await Promise.all(returns.map((r) => pipeline.start(r)));
      const states = await Promise.all(
        returns.map((r) => pipeline.waitForState(r.id, (s) => s.stage === 'awaiting-finale-completion')),
      );
      // The first as created, the second with one unit missing, the third with one more.
      states.forEach((state, index) =>
        pipeline.finale.state.completeReturn(state.finaleReturn!.returnUrl, {
          items: [{ productId: 'TEE-BLK-M', quantity: index + 1, returnReasonId: '##user_00001' }],
        }),
      );
      pipeline.finale.state.calls.reset();
      await sweepOnce();
      const results = await Promise.all(returns.map((r) => pipeline.handle(r.id).result()));
      expect(results.map((result) => result.outcome)).toEqual(['flagged', 'processed', 'flagged']);
      expect(results.map((result) => result.receipt?.differences.map((d) => d.line))).toEqual([
        ['TEE-BLK-M: expected 2, received 1'],
        [],
        ['TEE-BLK-M: expected 2, received 3'],
      ]);
      expect(pipeline.finaleCalls(RETURN_READ)).toBe(0);
      expect(pipeline.finale.state.calls.snapshot().total).toBe(1);
    } finally {
      pipeline.finale.state.updateSettings({ collectionReturnItems: 'omit' });
    }
  });

  it('leaves returns younger than the grace period to their webhook', async () => {
    pipeline.seedOrder('5998', ['CAP-RED']);
    const fresh = pipeline.loop.state.seedReturn({
      orderName: '#5998',
      items: [{ sku: 'CAP-RED', returnReason: 'Too small' }],
    });
    const pass = await sweepOnce();
    expect(pass.lastPass?.workflowsStarted).toBe(0);
    await expect(pipeline.state(String(fresh.id))).rejects.toThrow();
  });

  it('starts the workflow of a return whose webhook never came', async () => {
    pipeline.seedOrder('5999', ['CAP-RED']);
    // Stored in Loop three minutes ago, and no webhook delivered: past the sweeper's grace period.
    const seeded = pipeline.loop.state.seedReturn({
      orderName: '#5999',
      updatedAt: new Date(Date.now() - 3 * 60_000),
      items: [{ sku: 'CAP-RED', returnReason: 'Too small' }],
    });
    const missed = { id: String(seeded.id) };
    await expect(pipeline.state(missed.id)).rejects.toThrow();

    const pass = await sweepOnce();
    expect(pass.lastPass?.workflowsStarted).toBeGreaterThanOrEqual(1);
    const state = await pipeline.waitForState(missed.id, (s) => s.stage === 'awaiting-finale-completion');
    expect(state.orderName).toBe('#5999');
    await pipeline.recordHistory('started-by-sweeper', pipeline.handle(missed.id).workflowId);
  });

  it("keeps sweeping past hostile Finale returnIds and never signals another tenant's return", async () => {
    // Another tenant on the same Temporal server, with a return awaiting completion under the same Loop
    // return ID numbering.
    const other = await startPipeline({ client: dev.client, nativeConnection: dev.nativeConnection });
    try {
      other.seedOrder('#7001', ['CAP-RED']);
      const theirs = other.submitReturn('#7001', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      await other.start(theirs);
      await other.waitForState(theirs.id, (s) => s.stage === 'awaiting-finale-completion');

      pipeline.seedOrder('#7002', ['CAP-RED']);
      const ours = pipeline.submitReturn('#7002', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      await pipeline.start(ours);
      const { finaleReturn } = await pipeline.waitForState(
        ours.id,
        (s) => s.stage === 'awaiting-finale-completion',
      );
      await sweepOnce();

      // Anyone can type a returnId in Finale: these are completed beside our own return.
      const hostile = [
        '"',
        '\\',
        'LOOP-1" OR WorkflowId != "',
        `LOOP-${theirs.id}" OR ${'LoopFinaleTenant'} = "${other.tenantId}`,
        "' OR 1=1 --",
        'LOOP-H" OR 1=1',
        'LOOP-HABC123',
        `R-${'x'.repeat(198)}`,
      ];
      for (const returnId of hostile) {
        pipeline.finale.state.seedReturn(pipeline.account, { returnId, statusId: 'RETURN_COMPLETED' });
      }
      pipeline.finale.state.completeReturn(finaleReturn!.returnUrl);

      const pass = await sweepOnce();
      expect(pass.lastPass?.error).toBeUndefined();
      expect(pass.lastPass?.finaleChanges).toBeGreaterThanOrEqual(hostile.length + 1);
      expect(pass.lastPass?.signalled).toBe(1);
      expect((await pipeline.handle(ours.id).result()).outcome).toBe('processed');
      const untouched = await other.state(theirs.id);
      expect(untouched.stage).toBe('awaiting-finale-completion');
      expect(untouched.timeline.some((t) => t.event.startsWith('Finale reported'))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('wakes the returns held while the tenant was paused once it is resumed', async () => {
    pipeline.seedOrder('#7101', ['CAP-RED']);
    const held = pipeline.submitReturn('#7101', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    await pipeline.store.pauseTenant(pipeline.tenantId);
    try {
      await pipeline.start(held);
      await pipeline.waitForState(held.id, (s) => s.stage === 'paused');
      // A pass while paused sweeps nothing; the sweeper notes the tenant is paused.
      await sweeper().signal(sweepNowSignal);
      for (let tries = 0; !(await sweeper().query(sweeperStateQuery)).paused; tries++) {
        if (tries > 300) throw new Error('the sweeper never saw the tenant paused');
        await delay(100);
      }
    } finally {
      await pipeline.store.resumeTenant(pipeline.tenantId);
    }
    // What the admin API's resume does: ask the sweeper for a pass, which nudges held returns at once
    // (their own fallback looks only after an hour).
    await sweepOnce();
    const state = await pipeline.waitForState(held.id, (s) => s.stage === 'awaiting-finale-completion');
    expect(state.timeline.map((t) => t.event)).toContain('tenant resumed');
    await pipeline.recordHistory('tenant-sweeper', sweeper().workflowId);
  });
});
