// Application metrics from a real return run: activity attempts by type and failure class, and the
// return's outcome (through the workflow interceptor's sink), on the shared registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../observability/metrics.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { connectToDevServer } from '../support/temporal.ts';

async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('application metrics', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;

  beforeAll(async () => {
    dev = await connectToDevServer();
    // Its own tenant ID keeps its workflow IDs apart from other test files' on the shared dev server.
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { tenantId: 'metrics-test' },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await dev?.close();
  });

  it('counts activity attempts by type and failure class, and each finished return once by outcome', async () => {
    pipeline.seedOrder('5001', ['TEE-BLK-M']);
    await pipeline.store.updateSettings(pipeline.tenantId, { destinationFacilityName: 'Nowhere' });
    const loopReturn = pipeline.submitReturn('#5001', [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }]);
    const handle = await pipeline.start(loopReturn);
    await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'needs-attention');
    expect(
      await sample('loop_finale_activity_attempts_total', {
        activity_type: 'createReturnInFinale',
        result: 'failure',
        failure_class: 'config',
      }),
    ).toBe(1);

    await pipeline.store.updateSettings(pipeline.tenantId, { destinationFacilityName: 'Main Warehouse' });
    await handle.signal('retry', { version: 1 });
    await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
    const finale = pipeline.finaleReturns().find((r) => r.returnId === `LOOP-${loopReturn.id}`)!;
    pipeline.finale.state.completeReturn(finale.returnUrl);
    await handle.signal('finaleReturnChanged', { version: 1, statusId: 'RETURN_COMPLETED' });
    expect((await handle.result()).outcome).toBe('processed');
    // Queries of the finished workflow replay it; replays must not count it again.
    await pipeline.state(loopReturn.id);
    await pipeline.restartWorker();
    await pipeline.state(loopReturn.id);

    expect(await sample('loop_finale_returns_finished_total', { outcome: 'processed' })).toBe(1);
    expect(
      await sample('loop_finale_activity_attempts_total', {
        activity_type: 'createReturnInFinale',
        result: 'success',
        failure_class: '',
      }),
    ).toBe(1);
    const durations = await metricsRegistry.getSingleMetric('loop_finale_activity_duration_seconds')?.get();
    expect(durations?.values.some((v) => v.labels.activity_type === 'updateReturnInLoop')).toBe(true);
  });
});
