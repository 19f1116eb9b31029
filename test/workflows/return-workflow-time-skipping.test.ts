// Multi-hour and multi-day waits on the native time-skipping test server, with the real activities and both
// simulators.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finaleReturnIdFor } from '../../workflows/return-plan.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { createTimeSkippingEnv } from '../support/temporal.ts';

const HOUR = 3_600_000;
const unthrottled = { limit: 100_000, windowMs: 1_000 };

describe('return workflow under time skipping', () => {
  let env: TestWorkflowEnvironment;
  let pipeline: Pipeline;
  /** The simulator's clock follows Temporal's skipped time, so "2 hours later" means the same to both. */
  const syncFinaleClock = async () => pipeline.finale.state.setClock({ now: await env.currentTimeMs() });

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    pipeline = await startPipeline({
      client: env.client,
      nativeConnection: env.nativeConnection,
      // Limits per real minute would throttle days of skipped time into real minutes.
      api: {
        budgets: {
          'finale-get': unthrottled,
          'finale-post': unthrottled,
          'finale-collection': unthrottled,
          loop: unthrottled,
        },
        maxConcurrent: { finale: 50, loop: 50 },
      },
    });
  });

  afterAll(async () => {
    await pipeline?.close();
    await env?.teardown();
  });

  it('creates the return once its order reaches Finale two hours late', async () => {
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
    await env.sleep('1 hour');
    const created = pipeline.finaleReturns();
    expect(created.map((r) => r.returnId)).toEqual([finaleReturnIdFor(loopReturn.id)]);
    expect(Date.parse(`${created[0]!.createdDate}Z`)).toBeGreaterThanOrEqual(
      (await env.currentTimeMs()) - HOUR - 60_000,
    );

    pipeline.finale.state.completeReturn(created[0]!.returnUrl);
    // No sweeper here: the workflow's own slow fallback check finds the completion.
    const result = await handle.result();
    await pipeline.recordHistory('order-late-two-hours', handle.workflowId);
    expect(result.outcome).toBe('processed');
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
    expect(parked.lastError).toMatchObject({ code: 'OrderNotFound', class: 'waiting' });
    expect(parked.lastError?.message).toBe(
      'Order #3999 not found in Finale after 72 h — check the Shopify→Finale sync',
    );
    const inLoop = pipeline.loop.state.getReturn(Number(loopReturn.id));
    expect(inLoop.state).toBe('review');
    expect(inLoop.notes.map((n) => n.content)).toContain(parked.lastError?.message);
    expect(pipeline.finaleReturns().filter((r) => r.returnId === finaleReturnIdFor(loopReturn.id))).toEqual(
      [],
    );
    await pipeline.recordHistory('order-missing-72-hours', handle.workflowId);
    await handle.terminate('test finished');
  });
});
