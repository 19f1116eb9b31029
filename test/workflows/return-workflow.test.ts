import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoTenant } from '../../sandbox/demo-world.ts';
import { deliverLoopChange, startReturnWorkflow } from '../../temporal/workflow-starts.ts';
import { createWorker } from '../../worker/create-worker.ts';
import type { LoopReturn } from '../../integrations/loop/loop-return.ts';
import { returnWorkflowId } from '../../workflows/ids.ts';
import { finaleReturnIdFor } from '../../workflows/return-plan.ts';
import { returnWorkflow } from '../../workflows/return-workflow.ts';
import { fixLinesUpdate, markCompleteUpdate, retryUpdate } from '../../workflows/messages.ts';
import { searchAttributes } from '../../workflows/search-attributes.ts';
import { startHttpReceiver } from '../support/http-receiver.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { spawnWorkerProcess } from '../support/spawn-worker.ts';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal.ts';

const FINALE_CREATE = 'POST /:account/api/return';
const LOOP_ACTIONS = ['process', 'close', 'flag', 'note', 'cancel'].map(
  (action) => `POST /warehouse/return/:id/${action}`,
);

describe('return workflow on the dev server, against both simulators', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let alerts: Awaited<ReturnType<typeof startHttpReceiver>>;
  let nextOrder = 2001;
  const newOrder = (skus: string[]) => {
    const number = String(nextOrder++);
    pipeline.seedOrder(number, skus);
    return `#${number}`;
  };
  const finaleReturnOf = (loopReturnId: string) => {
    const found = pipeline.finaleReturns().filter((r) => r.returnId === finaleReturnIdFor(loopReturnId));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const awaitFinaleReturn = async (loopReturnId: string) => {
    await pipeline.waitForState(loopReturnId, (s) => s.stage === 'awaiting-finale-completion');
    return finaleReturnOf(loopReturnId);
  };

  beforeAll(async () => {
    dev = await connectToDevServer();
    alerts = await startHttpReceiver();
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { sweeperIntervalMs: '1s' },
      alertWebhookUrl: alerts.url,
    });
    await pipeline.startSweeper();
  });

  afterAll(async () => {
    await pipeline?.close();
    await alerts?.close();
    await dev?.close();
  });

  it('creates one Finale return with aggregated quantities and mapped reasons, then processes it in Loop', async () => {
    const orderName = newOrder(['TEE-BLK-M', 'CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [
      { sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 2 },
      { sku: 'CAP-RED', returnReason: 'Changed my mind' },
    ]);
    expect(loopReturn.lineItems).toHaveLength(3);
    const handle = await pipeline.start(loopReturn);

    const finaleReturn = await awaitFinaleReturn(loopReturn.id);
    const facility = pipeline.finale.state
      .account(pipeline.account)
      ?.facilities.find((f) => f.facilityName === 'Main Warehouse');
    expect(finaleReturn).toMatchObject({
      statusId: 'RETURN_CREATED',
      destinationFacilityUrl: facility?.facilityUrl,
    });
    expect(
      finaleReturn.returnItemList?.map(({ productId, quantity, returnReasonId }) => ({
        productId,
        quantity,
        returnReasonId,
      })),
    ).toEqual([
      { productId: 'TEE-BLK-M', quantity: 2, returnReasonId: '##user_00001' },
      { productId: 'CAP-RED', quantity: 1, returnReasonId: undefined },
    ]);
    const state = await pipeline.state(loopReturn.id);
    expect(state.unmappedReasons).toEqual(['Changed my mind']);
    expect(state.finaleReturn?.returnId).toBe(finaleReturnIdFor(loopReturn.id));

    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    const result = await handle.result();
    await pipeline.recordHistory('happy-path-process', handle.workflowId);
    expect(result.outcome).toBe('processed');
    expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).state).toBe('closed');
    expect(pipeline.loopCalls('POST /warehouse/return/:id/process')).toBe(1);
    expect(pipeline.loopCalls('POST /warehouse/return/:id/flag')).toBe(0);
  });

  it('queues the steps that carry a return on ahead of new returns, and its polls behind them', async () => {
    const loopReturn = pipeline.submitReturn(newOrder(['MUG-WHT']), [
      { sku: 'MUG-WHT', returnReason: 'Too small' },
    ]);
    const handle = await pipeline.start(loopReturn);
    pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
    expect((await handle.result()).outcome).toBe('processed');

    // Task-queue priority keys: 1 runs first, 5 last, 3 when none is set.
    const scheduled = new Map<string, number>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const attributes = event.activityTaskScheduledEventAttributes;
      if (attributes) scheduled.set(attributes.activityType!.name!, attributes.priority?.priorityKey ?? 3);
    }
    expect(Object.fromEntries(scheduled)).toEqual({
      findOrderInFinale: 3,
      createReturnInFinale: 2,
      awaitFinaleCompletion: 4,
      updateReturnInLoop: 2,
    });
  });

  it('closes instead of processing when the tenant says so', async () => {
    await pipeline.store.updateSettings(pipeline.tenantId, { completionAction: 'close' });
    try {
      const orderName = newOrder(['MUG-WHT']);
      const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
      const handle = await pipeline.start(loopReturn);
      pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
      const before = pipeline.loopCalls('POST /warehouse/return/:id/process');
      expect((await handle.result()).outcome).toBe('closed');
      await pipeline.recordHistory('happy-path-close', handle.workflowId);
      expect(pipeline.loopCalls('POST /warehouse/return/:id/close')).toBe(1);
      expect(pipeline.loopCalls('POST /warehouse/return/:id/process')).toBe(before);
    } finally {
      await pipeline.store.updateSettings(pipeline.tenantId, { completionAction: 'process' });
    }
  });

  it('flags a return carrying a flag reason, with a note naming the reason, and never processes it', async () => {
    const orderName = newOrder(['TEE-BLK-M']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'TEE-BLK-M', returnReason: ' damaged ' }]);
    const handle = await pipeline.start(loopReturn);
    const processedBefore = pipeline.loopCalls('POST /warehouse/return/:id/process');
    pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);

    const result = await handle.result();
    await pipeline.recordHistory('flag-reason', handle.workflowId);
    expect(result.outcome).toBe('flagged');
    const inLoop = pipeline.loop.state.getReturn(Number(loopReturn.id));
    expect(inLoop.state).toBe('review');
    expect(inLoop.notes.map((n) => n.content).join('\n')).toMatch(/"Damaged".*Flag Reasons.*LOOP-/);
    expect(pipeline.loopCalls('POST /warehouse/return/:id/process')).toBe(processedBefore);
  });

  it('waits out a Loop 429 burst longer than the step retries, without parking the return', async () => {
    const alertsBefore = alerts.bodies.length;
    const loopReturn = pipeline.submitReturn(newOrder(['CAP-RED']), [
      { sku: 'CAP-RED', returnReason: 'Too small' },
    ]);
    const handle = await pipeline.start(loopReturn);
    const finaleReturn = await awaitFinaleReturn(loopReturn.id);
    // Twelve 429s in a row: more than the step's 8 attempts, so the workflow itself must wait and try again.
    pipeline.loop.state.faults.add({
      kind: 'rate-limit',
      retryAfter: '1',
      endpoint: 'POST /warehouse/return/:id/process',
      count: 12,
    });
    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    expect((await handle.result()).outcome).toBe('processed');
    const { timeline } = await pipeline.state(loopReturn.id);
    expect(timeline.map((t) => t.event)).toContainEqual(
      expect.stringMatching(/rate limited \(HTTP 429\): waiting for the API, then trying again/),
    );
    expect(timeline.filter((t) => t.stage === 'needs-attention')).toEqual([]);
    expect(alerts.bodies.length).toBe(alertsBefore);
    expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).state).toBe('closed');
    await pipeline.recordHistory('loop-rate-limited-waited-out', handle.workflowId);
  }, 60_000);

  it('parks a facility name that differs only in case as a config issue, and one retry completes it', async () => {
    await pipeline.store.updateSettings(pipeline.tenantId, {
      destinationFacilityName: 'main warehouse',
      needsAttentionRecheckMs: '1s',
    });
    const alertsBefore = alerts.bodies.length;
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);

    const parked = await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    expect(parked.lastError).toMatchObject({ class: 'config', code: 'FacilityNotFound' });
    expect(parked.lastError?.fix).toContain('"Main Warehouse"');
    expect(pipeline.finaleCalls(FINALE_CREATE)).toBe(pipeline.finaleReturns().length);

    // Automatic re-checks find the same problem: the person is told once, not at every re-check.
    await pipeline.waitForState(
      loopReturn.id,
      (s) => s.timeline.filter((t) => t.event === 'automatic re-check').length >= 2,
    );
    const raised = alerts.bodies.slice(alertsBefore) as { text: string }[];
    expect(raised).toHaveLength(1);
    expect(raised[0]?.text).toMatch(/needs attention \(config, FacilityNotFound\).*"Main Warehouse"/);
    expect(raised[0]?.text).toContain(`/workflows/${encodeURIComponent(handle.workflowId)}`);

    // Lengthen the re-check first and let the return park again under it, so the operator's retry below
    // cannot race an automatic re-check that would already have picked up the corrected facility.
    await pipeline.store.updateSettings(pipeline.tenantId, { needsAttentionRecheckMs: '6h' });
    await pipeline.waitForState(
      loopReturn.id,
      (s) => s.stage === 'needs-attention' && s.lastError?.recheckAfterMs === 6 * 3_600_000,
    );
    await pipeline.store.updateSettings(pipeline.tenantId, { destinationFacilityName: 'Main Warehouse' });
    await handle.executeUpdate(retryUpdate, { args: [{ version: 1, by: 'ops@example.com' }] });
    pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
    expect((await handle.result()).outcome).toBe('processed');
    await pipeline.recordHistory('facility-case-then-retry', handle.workflowId);
    const after = alerts.bodies.slice(alertsBefore) as { text: string }[];
    expect(after).toHaveLength(2);
    expect(after[1]?.text).toMatch(/recovered from "FacilityNotFound"/);
  });

  it('holds returns of a paused tenant until the tenant is resumed', async () => {
    await pipeline.store.pauseTenant(pipeline.tenantId);
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const createsBefore = pipeline.finaleCalls(FINALE_CREATE);
    let handle;
    try {
      handle = await pipeline.start(loopReturn);
      const held = await pipeline.waitForState(loopReturn.id, (s) => /is paused/.test(s.waitingFor));
      expect(held.stage).toBe('paused');
      expect(pipeline.finaleCalls(FINALE_CREATE)).toBe(createsBefore);
    } finally {
      // Resumed even when an expectation fails, so the tests after this one do not all hold too.
      await pipeline.store.resumeTenant(pipeline.tenantId);
    }
    await handle.signal('retry', { version: 1, by: 'ops' });
    pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
    expect((await handle.result()).outcome).toBe('processed');
    await pipeline.recordHistory('paused-tenant', handle.workflowId);
  });

  it('rejects a retry when nothing is waiting for one', async () => {
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);
    await awaitFinaleReturn(loopReturn.id);
    await expect(handle.executeUpdate(retryUpdate, { args: [{ version: 1 }] })).rejects.toMatchObject({
      cause: {
        message: expect.stringMatching(
          /Nothing to retry: the return is awaiting-finale-completion/,
        ) as unknown,
      },
    });
    await pipeline.recordHistory('retry-rejected', handle.workflowId);
    await handle.cancel();
  });

  it('parks an unknown SKU as a data issue naming the SKU, findable by stage and issue class', async () => {
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [
      { sku: 'NOT-IN-FINALE', returnReason: 'Too small' },
    ]);
    const handle = await pipeline.start(loopReturn);
    const parked = await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    expect(parked.lastError).toMatchObject({ class: 'data', code: 'SkuUnknown' });
    expect(parked.lastError?.message).toContain('"NOT-IN-FINALE"');
    // Operators (and the returns-by-stage metric) find parked returns by stage and class.
    let shown: { stage?: string; issueClass?: string } = {};
    for (let i = 0; i < 50 && shown.issueClass === undefined; i++) {
      const { typedSearchAttributes } = await handle.describe();
      shown = {
        stage: typedSearchAttributes.get(searchAttributes.stage),
        issueClass: typedSearchAttributes.get(searchAttributes.issueClass),
      };
      if (shown.issueClass === undefined) await delay(100);
    }
    expect(shown).toEqual({ stage: 'needs-attention', issueClass: 'data' });
    // Recorded with the issue-class patch; `sku-unknown-parked` predates it.
    await pipeline.recordHistory('sku-unknown-parked-issue-class', handle.workflowId);
    await handle.cancel();
  });

  it('records who marked a return complete outside Finale, and why', async () => {
    const orderName = newOrder(['MUG-WHT']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);
    await awaitFinaleReturn(loopReturn.id);
    await handle.executeUpdate(markCompleteUpdate, {
      args: [{ version: 1, by: 'ops@example.com', reason: 'Received at the store counter' }],
    });
    const result = await handle.result();
    await pipeline.recordHistory('marked-complete-outside-finale', handle.workflowId);
    expect(result.outcome).toBe('processed');
    expect(result.manualCompletion).toMatchObject({
      by: 'ops@example.com',
      reason: 'Received at the store counter',
    });
    expect(result.timeline.map((t) => t.event).join('\n')).toContain(
      'marked complete outside Finale by ops@example.com',
    );
  });

  /** Every Loop action and Finale create so far, to prove a later workflow makes none. */
  const actionCounts = () => ({
    finaleCreates: pipeline.finaleCalls(FINALE_CREATE),
    loop: Object.fromEntries(LOOP_ACTIONS.map((endpoint) => [endpoint, pipeline.loopCalls(endpoint)])),
  });

  /** Past retention: the finished workflow is deleted from the namespace, as Temporal does after 72 h. */
  async function forgetWorkflow(workflowId: string) {
    await dev.client.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
    });
    for (let tries = 0; ; tries++) {
      try {
        await dev.client.workflow.getHandle(workflowId).describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return;
        throw error;
      }
      // Deletion runs as a background task of the server once it has recorded that the close tasks ran:
      // a few seconds with the test server's one-second checkpoints (test/setup/temporal-dev-server.ts).
      // Past this, something other than that delay keeps the workflow.
      if (tries > 300) throw new Error(`${workflowId} was not deleted`);
      await delay(100);
    }
  }

  /** What the gateway does with a late or redelivered `return.updated` / `return.closed` webhook. */
  const lateWebhook = (snapshot: LoopReturn, trigger: string, state: string) =>
    deliverLoopChange(
      dev.client,
      pipeline.taskQueue,
      { tenantId: pipeline.tenantId, loopReturnId: snapshot.id, loopReturn: { ...snapshot, state } },
      { version: 1, trigger, state },
    );

  it(
    'lets late webhooks for a processed return whose workflow is gone change nothing',
    { timeout: 90_000 },
    async () => {
      const orderName = newOrder(['CAP-RED']);
      const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      const handle = await pipeline.start(loopReturn);
      pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
      expect((await handle.result()).outcome).toBe('processed');
      // Still retained: a finished workflow is never started again.
      expect(await lateWebhook(loopReturn, 'return.updated', 'open')).toBe('already-finished');
      await forgetWorkflow(handle.workflowId);
      const before = actionCounts();

      // Redelivered as they were sent while the return was open, and once it closed.
      expect(await lateWebhook(loopReturn, 'return.closed', 'closed')).toBe('already-finished');
      expect(await lateWebhook(loopReturn, 'return.updated', 'open')).toBe('started');
      const late = await handle.result();
      await pipeline.recordHistory('late-webhook-after-retention', handle.workflowId);
      expect(late.outcome).toBe('not-open-in-loop');
      expect(actionCounts()).toEqual(before);
      finaleReturnOf(loopReturn.id);
    },
  );

  it(
    'lets a late webhook for a flagged return that Loop kept open find the finished Finale return and act on nothing',
    { timeout: 90_000 },
    async () => {
      const orderName = newOrder(['TEE-BLK-M']);
      const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'TEE-BLK-M', returnReason: 'Damaged' }]);
      const handle = await pipeline.start(loopReturn);
      pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
      expect((await handle.result()).outcome).toBe('flagged');
      // Loop may leave a flagged return open (the flag is for a person to review it there).
      pipeline.loop.state.setReturnState(Number(loopReturn.id), 'open');
      await forgetWorkflow(handle.workflowId);
      const before = actionCounts();
      const notes = pipeline.loop.state.getReturn(Number(loopReturn.id)).notes.length;

      expect(await lateWebhook(loopReturn, 'return.updated', 'open')).toBe('started');
      const late = await handle.result();
      await pipeline.recordHistory('late-webhook-already-handled', handle.workflowId);
      expect(late.outcome).toBe('already-handled');
      expect(late.timeline.map((t) => t.event).join('\n')).toMatch(/made by an earlier workflow/);
      expect(actionCounts()).toEqual(before);
      expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).notes).toHaveLength(notes);
      finaleReturnOf(loopReturn.id);
    },
  );

  it('lets an operator give a line without a SKU its Finale product, then completes it', async () => {
    // The demo's return, with the cap's variant missing its SKU in Shopify.
    const orderName = newOrder(['TEE-BLK-M', 'CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [
      { sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', returnReason: 'Too small' },
      { sku: '', title: 'Logo Cap - Red', returnReason: "Item didn't fit" },
    ]);
    const capLine = loopReturn.lineItems.find((line) => line.sku === '')!;
    const handle = await pipeline.start(loopReturn);
    const parked = await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    expect(parked.lastError).toMatchObject({
      class: 'data',
      code: 'MissingSku',
      lines: [{ id: capLine.id, title: 'Logo Cap - Red' }],
    });
    // The fix names only actions that work: a product for the line, going on without it, or Loop.
    expect(parked.lastError?.fix).toMatch(/return fix-lines .* --line <lineId>=<productId>/);
    expect(parked.lastError?.fix).toMatch(/--skip-lines-without-sku/);
    expect(parked.lastError?.fix).not.toMatch(/Shopify/);

    await expect(
      handle.executeUpdate(fixLinesUpdate, {
        args: [
          {
            version: 1,
            by: 'ops@example.com',
            lines: [{ lineItemId: 'no-such-line', productId: 'CAP-RED' }],
          },
        ],
      }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/not one without a SKU/) as unknown },
    });
    const loopReads = pipeline.loopCalls('GET /warehouse/return/details');
    const fixed = await handle.executeUpdate(fixLinesUpdate, {
      args: [
        { version: 1, by: 'ops@example.com', lines: [{ lineItemId: capLine.id, productId: 'CAP-RED' }] },
      ],
    });
    expect(fixed.lineFixes).toMatchObject([
      { lineItemId: capLine.id, productId: 'CAP-RED', by: 'ops@example.com' },
    ]);

    const finaleReturn = await awaitFinaleReturn(loopReturn.id);
    // The retry read the return from Loop again, so data corrected there would have been used.
    expect(pipeline.loopCalls('GET /warehouse/return/details')).toBe(loopReads + 1);
    expect(finaleReturn.returnItemList?.map((item) => item.productId).sort()).toEqual([
      'CAP-RED',
      'TEE-BLK-M',
    ]);
    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    const result = await handle.result();
    await pipeline.recordHistory('line-fixed-by-operator', handle.workflowId);
    expect(result.outcome).toBe('processed');
    expect(pipeline.loop.state.getReturn(Number(loopReturn.id)).state).toBe('closed');
    expect(result.timeline.map((t) => t.event)).toContain(
      `line ${capLine.id} "Logo Cap - Red" returned as Finale product CAP-RED (by ops@example.com)`,
    );
  });

  it('lets an operator continue without the lines that have no SKU', async () => {
    const orderName = newOrder(['TEE-BLK-M']);
    const loopReturn = pipeline.submitReturn(orderName, [
      { sku: 'TEE-BLK-M', returnReason: 'Too small' },
      { sku: '', title: 'Gift wrap', returnReason: 'Too small' },
    ]);
    const handle = await pipeline.start(loopReturn);
    await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    await handle.executeUpdate(fixLinesUpdate, {
      args: [{ version: 1, by: 'ops@example.com', skipLinesWithoutSku: true }],
    });
    const finaleReturn = await awaitFinaleReturn(loopReturn.id);
    expect(finaleReturn.returnItemList?.map((item) => item.productId)).toEqual(['TEE-BLK-M']);
    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    const result = await handle.result();
    expect(result.outcome).toBe('processed');
    expect(result.timeline.map((t) => t.event)).toContain(
      'continuing without the lines that have no SKU (by ops@example.com)',
    );
  });

  it('carries on a v1 return that continued as new while awaiting completion', async () => {
    const orderName = newOrder(['MUG-WHT']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
    // What v1 made before its completion wait: the Finale return, and the resume point it continued with.
    const created = pipeline.finale.state.seedReturn(pipeline.account, {
      returnId: finaleReturnIdFor(loopReturn.id),
      orderId: orderName.slice(1),
      items: [{ productId: 'MUG-WHT', quantity: 1, returnReasonId: '##user_00001' }],
    });
    const finaleReturn = { returnId: created.returnId, returnUrl: created.returnUrl };
    const at = new Date().toISOString();
    const createsBefore = pipeline.finaleCalls(FINALE_CREATE);
    const handle = await dev.client.workflow.start(returnWorkflow, {
      taskQueue: pipeline.taskQueue,
      workflowId: returnWorkflowId(pipeline.tenantId, loopReturn.id),
      args: [
        {
          version: 1,
          tenantId: pipeline.tenantId,
          loopReturnId: loopReturn.id,
          resume: {
            plan: {
              items: [{ sku: 'MUG-WHT', quantity: 1, returnReasonId: '##user_00001' }],
              skus: ['MUG-WHT'],
              unmappedReasons: [],
              flagReasonsMatched: [],
              lineItemsWithoutSku: [],
            },
            finaleReturn,
            state: {
              version: 1,
              tenantId: pipeline.tenantId,
              loopReturnId: loopReturn.id,
              orderName,
              stage: 'awaiting-finale-completion',
              waitingFor: `Waiting for the warehouse to complete Finale return ${finaleReturn.returnId}`,
              finaleReturn,
              flagReasons: [],
              unmappedReasons: [],
              attempts: 0,
              timeline: [
                { at, stage: 'awaiting-finale-completion', event: 'entered awaiting-finale-completion' },
              ],
            },
          },
        },
      ],
    });
    // The sweeper reports the completion to the v2 run.
    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    const result = await handle.result();
    await pipeline.recordHistory('continued-from-v1', handle.workflowId);
    expect(result.outcome).toBe('processed');
    expect(pipeline.finaleCalls(FINALE_CREATE)).toBe(createsBefore);
  });

  it('starts one workflow, one Finale return and one Loop action for a return started twice', async () => {
    const orderName = newOrder(['TEE-BLK-M']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }]);
    const createsBefore = pipeline.finaleCalls(FINALE_CREATE);
    const processBefore = pipeline.loopCalls('POST /warehouse/return/:id/process');
    const [first] = await Promise.all([pipeline.start(loopReturn), pipeline.start(loopReturn)]);
    await pipeline.start(loopReturn);
    pipeline.finale.state.completeReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
    await first.result();
    await pipeline.start(loopReturn);

    const runs = [];
    for await (const run of dev.client.workflow.list({ query: `WorkflowId = "${first.workflowId}"` }))
      runs.push(run);
    expect(runs).toHaveLength(1);
    expect(pipeline.finaleCalls(FINALE_CREATE) - createsBefore).toBe(1);
    expect(pipeline.loopCalls('POST /warehouse/return/:id/process') - processBefore).toBe(1);
  });

  it('cancels the Finale return when the Loop return is cancelled while awaiting completion', async () => {
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);
    const finaleReturn = await awaitFinaleReturn(loopReturn.id);

    // What the gateway does with the `return.updated` webhook Loop sends for the cancellation.
    pipeline.loop.state.setReturnState(Number(loopReturn.id), 'cancelled');
    await deliverLoopChange(
      dev.client,
      pipeline.taskQueue,
      { tenantId: pipeline.tenantId, loopReturnId: loopReturn.id },
      {
        version: 1,
        trigger: 'return.updated',
        state: 'cancelled',
      },
    );
    const result = await handle.result();
    await pipeline.recordHistory('cancelled-in-loop', handle.workflowId);
    expect(result.outcome).toBe('cancelled');
    expect(result.stage).toBe('cancelled');
    expect(finaleReturnOf(loopReturn.id).statusId).toBe('RETURN_CANCELLED');
    expect(finaleReturn.returnUrl).toBe(result.finaleReturn?.returnUrl);
  });

  it('cancels once when Loop reports the cancellation again while it is being acted on', async () => {
    const loopReturn = pipeline.submitReturn(newOrder(['CAP-RED']), [
      { sku: 'CAP-RED', returnReason: 'Too small' },
    ]);
    const handle = await pipeline.start(loopReturn);
    await awaitFinaleReturn(loopReturn.id);
    pipeline.loop.state.setReturnState(Number(loopReturn.id), 'cancelled');
    // The re-read is slow, so a second report (a duplicate webhook, the sweeper) arrives meanwhile.
    pipeline.loop.state.faults.add({ kind: 'latency', ms: 1_500, endpoint: 'GET *', count: 1 });
    const report = () =>
      deliverLoopChange(
        dev.client,
        pipeline.taskQueue,
        { tenantId: pipeline.tenantId, loopReturnId: loopReturn.id },
        { version: 1, trigger: 'return.updated', state: 'cancelled' },
      );
    await report();
    await delay(700);
    await report();
    const result = await handle.result();
    expect(result.outcome).toBe('cancelled');
    expect(finaleReturnOf(loopReturn.id).statusId).toBe('RETURN_CANCELLED');
  }, 30_000);

  it('flags the Loop return with a note when the Finale return is cancelled in Finale', async () => {
    const orderName = newOrder(['CAP-RED']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);
    pipeline.finale.state.cancelReturn((await awaitFinaleReturn(loopReturn.id)).returnUrl);
    const result = await handle.result();
    await pipeline.recordHistory('cancelled-in-finale', handle.workflowId);
    expect(result.outcome).toBe('flagged');
    const notes = pipeline.loop.state.getReturn(Number(loopReturn.id)).notes.map((n) => n.content);
    expect(notes.join('\n')).toMatch(/cancelled in Finale/);
  });

  it('keeps exactly one Finale return when the answer to the create is lost', async () => {
    const orderName = newOrder(['MUG-WHT']);
    const loopReturn = pipeline.submitReturn(orderName, [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
    pipeline.finale.state.faults.add({ kind: 'apply-then-drop', endpoint: FINALE_CREATE, count: 1 });
    const handle = await pipeline.start(loopReturn);
    const finaleReturn = await awaitFinaleReturn(loopReturn.id);
    pipeline.finale.state.completeReturn(finaleReturn.returnUrl);
    expect((await handle.result()).outcome).toBe('processed');
    await pipeline.recordHistory('create-answer-lost', handle.workflowId);
    finaleReturnOf(loopReturn.id);
  });
});

// Its own pipeline without a sweeper: the sweeper would start the return on its own worker (as it should for
// a return whose webhook never came) before this test's doomed worker gets it.
describe('a worker crash in the middle of the Finale create', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { sweeperIntervalMs: '1s' },
    });
  });

  afterAll(async () => {
    await pipeline?.close();
    await dev?.close();
  });

  it(
    'keeps exactly one Finale return when the worker dies after sending the create',
    { timeout: 90_000 },
    async () => {
      const taskQueue = uniqueTaskQueue('crash');
      pipeline.seedOrder('2901', ['MUG-WHT']);
      const loopReturn = pipeline.submitReturn('#2901', [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
      // The create is received, then held long enough to kill the worker before any answer reaches it.
      pipeline.finale.state.faults.add({ kind: 'latency', ms: 1_500, endpoint: FINALE_CREATE, count: 1 });
      const createsBefore = pipeline.finaleCalls(FINALE_CREATE);

      const doomed = await spawnWorkerProcess({
        address: inject('temporalAddress'),
        taskQueue,
        tenant: demoTenant({ tenantId: pipeline.tenantId }),
        endpoints: pipeline.endpoints,
      });
      await startReturnWorkflow(dev.client, taskQueue, {
        tenantId: pipeline.tenantId,
        loopReturnId: loopReturn.id,
        loopReturn,
      });
      const deadline = Date.now() + 20_000;
      while (pipeline.finaleCalls(FINALE_CREATE) === createsBefore && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(pipeline.finaleCalls(FINALE_CREATE), doomed.output()).toBe(createsBefore + 1);
      await doomed.kill();
      // The simulator finishes the create the dead worker sent.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(
        pipeline.finaleReturns().filter((r) => r.returnId === finaleReturnIdFor(loopReturn.id)),
      ).toHaveLength(1);

      // From here on the sweeper may run: it reports the completion once the workflow knows its return.
      await pipeline.startSweeper();
      const survivor = await createWorker({
        connection: dev.nativeConnection,
        namespace: 'default',
        taskQueue,
        client: dev.client,
        store: pipeline.store,
        endpoints: pipeline.endpoints,
      });
      // The warehouse completes the return the dead worker created; the workflow does not know it exists yet.
      const orphan = pipeline.finaleReturns().find((r) => r.returnId === finaleReturnIdFor(loopReturn.id));
      pipeline.finale.state.completeReturn(orphan!.returnUrl);
      // Once the dead worker's heartbeats stop, Temporal retries the create on the surviving worker, which must
      // find the existing return instead of creating another.
      const result = await survivor.runUntil(pipeline.handle(loopReturn.id).result());
      await pipeline.recordHistory('worker-crash-during-create', pipeline.handle(loopReturn.id).workflowId);
      expect(result.outcome).toBe('processed');
      expect(result.timeline.map((t) => t.event)).toContain(
        `Finale return ${finaleReturnIdFor(loopReturn.id)} found (created earlier) at Main Warehouse`,
      );
      expect(pipeline.finaleCalls(FINALE_CREATE) - createsBefore).toBe(1);
      expect(
        pipeline.finaleReturns().filter((r) => r.returnId === finaleReturnIdFor(loopReturn.id)),
      ).toHaveLength(1);
    },
  );
});
