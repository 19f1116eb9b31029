// The received-quantity check, on the dev server against both simulators: the warehouse completes a return
// in Finale with what actually arrived, and Loop is processed only when that is what was created; otherwise
// the return is flagged (the default) or, by the tenant's setting, processed anyway, either way with a note
// listing the differences one product per line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptMismatchAction } from '../../config/tenant-settings.ts';
import { finaleReturnChangedSignal } from '../../workflows/messages.ts';
import { finaleReturnIdFor } from '../../workflows/return-plan.ts';
import { startPipeline, type Pipeline, type ReturnLine } from '../support/pipeline.ts';
import { connectToDevServer } from '../support/temporal.ts';

const PROCESS = 'POST /warehouse/return/:id/process';
const FLAG = 'POST /warehouse/return/:id/flag';
const RETURN_READ = 'GET /:account/api/return/:id';
/** What the demo tenant maps "Too small" to. */
const TOO_SMALL = '##user_00001';

describe('what the warehouse received, checked before Loop is updated', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let nextOrder = 4001;

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({ client: dev.client, nativeConnection: dev.nativeConnection });
  });

  afterAll(async () => {
    await pipeline?.close();
    await dev?.close();
  });

  /**
   * One return of two tees, completed by the warehouse with `received` (Finale productIds), reported the way
   * the sweeper reports it (its collection read leaves the lines out, so the return reads them itself).
   */
  async function receive(
    received: { productId: string; quantity: number; returnReasonId?: string }[],
    action?: ReceiptMismatchAction,
  ) {
    if (action) await pipeline.store.updateSettings(pipeline.tenantId, { receiptMismatch: action });
    try {
      const orderName = `#${nextOrder++}`;
      pipeline.seedOrder(orderName, ['TEE-BLK-M', 'CAP-RED']);
      const lines: ReturnLine[] = [{ sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 2 }];
      const loopReturn = pipeline.submitReturn(orderName, lines);
      const handle = await pipeline.start(loopReturn);
      const waiting = await pipeline.waitForState(
        loopReturn.id,
        (s) => s.stage === 'awaiting-finale-completion',
      );
      const returnUrl = waiting.finaleReturn!.returnUrl;
      pipeline.finale.state.completeReturn(returnUrl, { items: received });
      const counts = { process: pipeline.loopCalls(PROCESS), flag: pipeline.loopCalls(FLAG) };
      const reads = pipeline.finaleCalls(RETURN_READ);
      await handle.signal(finaleReturnChangedSignal, { version: 1, statusId: 'RETURN_COMPLETED', returnUrl });
      const result = await handle.result();
      return {
        loopReturn,
        handle,
        result,
        processed: pipeline.loopCalls(PROCESS) - counts.process,
        flagged: pipeline.loopCalls(FLAG) - counts.flag,
        finaleReads: pipeline.finaleCalls(RETURN_READ) - reads,
        notes: pipeline.loop.state.getReturn(Number(loopReturn.id)).notes.map((note) => note.content),
        loopState: pipeline.loop.state.getReturn(Number(loopReturn.id)).state,
      };
    } finally {
      if (action) await pipeline.store.updateSettings(pipeline.tenantId, { receiptMismatch: 'flag' });
    }
  }

  it('flags a return the warehouse received 1 of 2 units of, with the difference in a note; never processes it', async () => {
    const got = await receive([{ productId: 'TEE-BLK-M', quantity: 1, returnReasonId: TOO_SMALL }]);
    await pipeline.recordHistory('partial-receipt', got.handle.workflowId);
    expect(got.result.outcome).toBe('flagged');
    expect(got.processed).toBe(0);
    expect(got.flagged).toBe(1);
    expect(got.loopState).toBe('review');
    expect(got.notes).toEqual([
      `Held for review: the warehouse received something else than Finale return ${finaleReturnIdFor(got.loopReturn.id)} lists.\n` +
        'TEE-BLK-M: expected 2, received 1',
    ]);
    expect(got.result.receipt?.differences).toEqual([
      { product: 'TEE-BLK-M', expected: 2, received: 1, line: 'TEE-BLK-M: expected 2, received 1' },
    ]);
    expect(got.result.waitingFor).toBe(
      'Flagged in Loop for review — received differently: TEE-BLK-M: expected 2, received 1',
    );
    // One read of the completed return, the only Finale call beyond today's.
    expect(got.finaleReads).toBe(1);
  });

  it('with the tenant’s "process" setting processes it anyway, with the same note', async () => {
    const got = await receive(
      [{ productId: 'TEE-BLK-M', quantity: 1, returnReasonId: TOO_SMALL }],
      'process',
    );
    expect(got.result.outcome).toBe('processed');
    expect(got.processed).toBe(1);
    expect(got.flagged).toBe(0);
    expect(got.loopState).toBe('closed');
    expect(got.notes).toEqual([
      `Completed although the warehouse received something else than Finale return ${finaleReturnIdFor(got.loopReturn.id)} lists.\n` +
        'TEE-BLK-M: expected 2, received 1',
    ]);
    expect(got.result.waitingFor).toBe(
      'Processed in Loop — received differently: TEE-BLK-M: expected 2, received 1',
    );
  });

  it('processes an exact receipt as before, with no note', async () => {
    const got = await receive([{ productId: 'TEE-BLK-M', quantity: 2, returnReasonId: TOO_SMALL }]);
    expect(got.result.outcome).toBe('processed');
    expect(got.processed).toBe(1);
    expect(got.flagged).toBe(0);
    expect(got.notes).toEqual([]);
    expect(got.result.receipt?.differences).toEqual([]);
    expect(got.result.timeline.map((t) => t.event)).toContain('received exactly what was created');
  });

  it('names each product that differs: another product, a removed line, units under another reason', async () => {
    const got = await receive([
      { productId: 'CAP-RED', quantity: 1 },
      { productId: 'TEE-BLK-M', quantity: 2 },
    ]);
    expect(got.result.outcome).toBe('flagged');
    expect(got.result.receipt?.differences.map((d) => d.line)).toEqual([
      `TEE-BLK-M: expected 2 (2 × ${TOO_SMALL}), received 2 (2 × no reason)`,
      'CAP-RED: expected 0, received 1',
    ]);
  });
});
