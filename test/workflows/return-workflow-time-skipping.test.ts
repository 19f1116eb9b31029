// Multi-hour and multi-day waits on the native time-skipping test server, with the real activities and both
// simulators. Each long wait runs for 60 simulated days, continues as new on the way (the history is pushed
// past a lowered limit by webhooks arriving meanwhile), stays small in every run, and ends normally once
// its cause clears.
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFinaleAccount } from '../../sandbox/demo-world.ts';
import {
  finaleReturnChangedSignal,
  loopReturnChangedSignal,
  retryUpdate,
  tenantResumedSignal,
} from '../../workflows/messages.ts';
import { finaleReturnIdFor } from '../../workflows/return-plan.ts';
import { unthrottledBudgets } from '../support/budgets.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { createTimeSkippingEnv } from '../support/temporal.ts';

const HOUR = 3_600_000;
const FINALE_RETURN_READS = 'GET /:account/api/return/:id';
/** Low enough that a score of webhooks during a wait make the run continue as new. */
const CONTINUE_AS_NEW_AFTER = 30;
/** Temporal's default limit is 51,200 events; the bound for any one run here is far below it. */
const MAX_EVENTS_PER_RUN = 10_000;

describe('return workflow under time skipping', () => {
  let env: TestWorkflowEnvironment;
  let pipeline: Pipeline;
  /** The simulator's clock follows Temporal's skipped time, so "2 hours later" means the same to both. */
  const syncFinaleClock = async () => pipeline.finale.state.setClock({ now: await env.currentTimeMs() });

  /**
   * Webhooks about unrelated changes (a label, a note) arriving while the return waits, enough to pass
   * the lowered history limit: waits until the workflow has continued as new.
   */
  async function webhooksMeanwhile(loopReturnId: string, count: number) {
    for (let i = 0; i < count; i++) {
      await pipeline
        .handle(loopReturnId)
        .signal(loopReturnChangedSignal, { version: 1, trigger: 'return.updated', state: 'open' });
    }
    for (let tries = 0; (await pipeline.runs(loopReturnId)).length < 2; tries++) {
      if (tries > 100) throw new Error(`return ${loopReturnId} did not continue as new`);
      await delay(100);
    }
  }

  /** Every run stayed small, and the workflow did continue as new during the wait. */
  async function expectBoundedRuns(loopReturnId: string) {
    const runs = await pipeline.runs(loopReturnId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(run.history.events?.length).toBeLessThan(MAX_EVENTS_PER_RUN);
    return runs;
  }

  /** Records the first run (ending in continue-as-new) and the last one as replay fixtures. */
  async function recordRuns(name: string, loopReturnId: string) {
    const runs = await pipeline.runs(loopReturnId);
    const workflowId = pipeline.handle(loopReturnId).workflowId;
    await pipeline.recordHistory(`${name}-continued-as-new`, workflowId, runs[0]!.runId);
    await pipeline.recordHistory(name, workflowId, runs.at(-1)!.runId);
  }

  const finaleReturnOf = (loopReturnId: string) =>
    pipeline.finaleReturns().find((r) => r.returnId === finaleReturnIdFor(loopReturnId));

  /** What the tenant sweeper does when it finds the Finale return completed. */
  async function sweeperReportsCompleted(loopReturnId: string) {
    const created = finaleReturnOf(loopReturnId)!;
    pipeline.finale.state.completeReturn(created.returnUrl);
    await pipeline.handle(loopReturnId).signal(finaleReturnChangedSignal, {
      version: 1,
      statusId: 'RETURN_COMPLETED',
      returnUrl: created.returnUrl,
    });
  }

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    pipeline = await startPipeline({
      client: env.client,
      nativeConnection: env.nativeConnection,
      api: { budgets: unthrottledBudgets, maxConcurrent: { finale: 50, loop: 50 } },
    });
  });

  afterAll(async () => {
    await pipeline?.close();
    await env?.teardown();
  });

  it('creates the return once its order reaches Finale two hours late', async () => {
    const startedAt = await env.currentTimeMs();
    await syncFinaleClock();
    pipeline.seedOrder('3001', ['TEE-BLK-M'], 2 * HOUR);
    const loopReturn = pipeline.submitReturn('#3001', [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);

    await env.sleep('119 minutes');
    await syncFinaleClock();
    expect(pipeline.finaleReturns()).toHaveLength(0);
    const waiting = await pipeline.state(loopReturn.id);
    expect(waiting.stage).toBe('resolving');
    expect(waiting.lastError).toMatchObject({ code: 'OrderNotFound', class: 'waiting' });
    expect(waiting.waitingFor).toMatch(/Order #3001 is not in Finale yet/);

    await env.sleep('2 minutes');
    await syncFinaleClock();
    // The looks back off as the wait goes on (about double the time waited so far): the next one comes
    // within a few hours.
    await env.sleep('3 hours');
    const created = pipeline.finaleReturns();
    expect(created.map((r) => r.returnId)).toEqual([finaleReturnIdFor(loopReturn.id)]);
    expect(Date.parse(`${created[0]!.createdDate}Z`)).toBeGreaterThanOrEqual(startedAt + 2 * HOUR);

    pipeline.finale.state.completeReturn(created[0]!.returnUrl);
    // No sweeper here: the workflow's own slow fallback check finds the completion.
    const result = await handle.result();
    await pipeline.recordHistory('order-late-two-hours', handle.workflowId);
    expect(result.outcome).toBe('processed');
    expect(result.timeline.map((t) => t.event)).toContain(
      `fallback check found Finale return ${finaleReturnIdFor(loopReturn.id)} RETURN_COMPLETED`,
    );
    expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).state).toBe('closed');
  });

  it('flags the Loop return and parks it when the order never reaches Finale within 72 hours', async () => {
    const loopReturn = pipeline.submitReturn('#3999', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);

    await env.sleep('71 hours');
    expect((await pipeline.state(loopReturn.id)).stage).toBe('resolving');
    await env.sleep('2 hours');

    const parked = await pipeline.state(loopReturn.id);
    expect(parked.stage).toBe('needs-attention');
    expect(parked.lastError).toMatchObject({ code: 'OrderNotFound', class: 'data' });
    expect(parked.lastError?.message).toBe(
      'Order #3999 not found in Finale after 72 h — check the Shopify→Finale sync',
    );
    const inLoop = pipeline.loop.state.getReturn(Number(loopReturn.id));
    expect(inLoop.state).toBe('review');
    expect(inLoop.notes.map((n) => n.content)).toContain(parked.lastError?.message);
    expect(finaleReturnOf(loopReturn.id)).toBeUndefined();
    await pipeline.recordHistory('order-missing-72-hours', handle.workflowId);
    await handle.terminate('test finished');
  });

  // Seconds each on a quiet machine; minutes when the machine is loaded (every look is a real activity).
  describe('60 days in one wait, then the cause clears', { timeout: 180_000 }, () => {
    it('a paused tenant', async () => {
      pipeline.seedOrder('3101', ['CAP-RED']);
      const loopReturn = pipeline.submitReturn('#3101', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      await pipeline.store.pauseTenant(pipeline.tenantId);
      try {
        await pipeline.start(loopReturn, { continueAsNewAfterEvents: CONTINUE_AS_NEW_AFTER });
        await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'paused');
        await webhooksMeanwhile(loopReturn.id, 20);
        await env.sleep('60 days');
        expect((await pipeline.state(loopReturn.id)).stage).toBe('paused');
        expect(finaleReturnOf(loopReturn.id)).toBeUndefined();
        await expectBoundedRuns(loopReturn.id);
      } finally {
        await pipeline.store.resumeTenant(pipeline.tenantId);
      }
      // What the sweeper does once it sees the tenant active again.
      await pipeline.handle(loopReturn.id).signal(tenantResumedSignal, { version: 1 });
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      await sweeperReportsCompleted(loopReturn.id);
      expect((await pipeline.handle(loopReturn.id).result()).outcome).toBe('processed');
      await recordRuns('paused-60-days', loopReturn.id);
    });

    it('a return parked on a product Finale does not have', async () => {
      pipeline.seedOrder('3102', ['CAP-RED']);
      const loopReturn = pipeline.submitReturn('#3102', [{ sku: 'LAMP-GRN', returnReason: 'Too small' }]);
      await pipeline.start(loopReturn, { continueAsNewAfterEvents: CONTINUE_AS_NEW_AFTER });
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
      await webhooksMeanwhile(loopReturn.id, 20);
      await env.sleep('60 days');
      const parked = await pipeline.state(loopReturn.id);
      expect(parked.lastError).toMatchObject({ class: 'data', code: 'SkuUnknown' });
      // Backing off to a week: a handful of re-checks in 60 days, not one every 6 hours.
      expect(parked.timeline.filter((t) => t.event === 'automatic re-check').length).toBeLessThan(15);
      await expectBoundedRuns(loopReturn.id);

      // The merchant creates the product; the next automatic re-check (within a week) picks it up.
      pipeline.finale.state.seedProduct(demoFinaleAccount.name, { productId: 'LAMP-GRN' });
      await env.sleep('8 days');
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      await sweeperReportsCompleted(loopReturn.id);
      expect((await pipeline.handle(loopReturn.id).result()).outcome).toBe('processed');
      await recordRuns('parked-60-days', loopReturn.id);
    });

    it('an order that never synced, flagged in Loop after 72 hours', async () => {
      const loopReturn = pipeline.submitReturn('#3103', [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      const flagsBefore = pipeline.loopCalls('POST /warehouse/return/:id/flag');
      await pipeline.start(loopReturn, { continueAsNewAfterEvents: CONTINUE_AS_NEW_AFTER });
      await pipeline.waitForState(loopReturn.id, (s) => /not in Finale yet/.test(s.waitingFor));
      await webhooksMeanwhile(loopReturn.id, 20);
      await env.sleep('60 days');
      expect((await pipeline.state(loopReturn.id)).stage).toBe('needs-attention');
      await expectBoundedRuns(loopReturn.id);

      // The sync is fixed, the merchant clears the flag in Loop, and an operator retries.
      pipeline.seedOrder('3103', ['CAP-RED']);
      pipeline.loop.state.setReturnState(Number(loopReturn.id), 'open');
      await pipeline.handle(loopReturn.id).executeUpdate(retryUpdate, { args: [{ version: 1, by: 'ops' }] });
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      await sweeperReportsCompleted(loopReturn.id);
      expect((await pipeline.handle(loopReturn.id).result()).outcome).toBe('processed');
      // Flagged once, for the missing order, however many runs and re-checks the wait took.
      expect(pipeline.loopCalls('POST /warehouse/return/:id/flag') - flagsBefore).toBe(1);
      expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).notes).toHaveLength(1);
      await recordRuns('order-missing-60-days', loopReturn.id);
    });

    it('a warehouse that does not complete the return', async () => {
      pipeline.seedOrder('3104', ['MUG-WHT']);
      const loopReturn = pipeline.submitReturn('#3104', [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
      const reads = pipeline.finaleCalls(FINALE_RETURN_READS);
      const handle = await pipeline.start(loopReturn, { continueAsNewAfterEvents: CONTINUE_AS_NEW_AFTER });
      await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      await webhooksMeanwhile(loopReturn.id, 20);
      await env.sleep('60 days');
      expect((await pipeline.state(loopReturn.id)).stage).toBe('awaiting-finale-completion');
      await expectBoundedRuns(loopReturn.id);
      // Fallback checks back off from 4 days toward 16: a few reads in 60 days, not one every 12 hours.
      expect(pipeline.finaleCalls(FINALE_RETURN_READS) - reads).toBeLessThanOrEqual(6);

      // The warehouse completes it; no sweeper runs here, so the fallback check finds it.
      pipeline.finale.state.completeReturn(finaleReturnOf(loopReturn.id)!.returnUrl);
      expect((await handle.result()).outcome).toBe('processed');
      await recordRuns('awaiting-completion-60-days', loopReturn.id);
    });
  });
});
