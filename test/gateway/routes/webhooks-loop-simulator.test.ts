// Loop's own deliveries (the simulator signs and retries like Loop) through the real gateway to a worker
// running the real workflows.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/server.ts';
import { returnWorkflowId } from '../../../workflows/ids.ts';
import { startPipeline, type Pipeline } from '../../support/pipeline.ts';
import { connectToDevServer } from '../../support/temporal.ts';
import { countRuns, testEnv } from '../gateway-fixture.ts';

describe('webhooks delivered by the Loop simulator', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    dev = await connectToDevServer();
    // A tenant of its own: test files share the dev server, and the simulator numbers returns alike in each.
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { tenantId: `gw-loop-${randomBytes(3).toString('hex')}` },
    });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      env: testEnv(),
      store: pipeline.store,
      temporal: { client: pipeline.client, taskQueue: pipeline.taskQueue },
    });
    const url = `${gateway.url}/webhooks/loop/${pipeline.tenantId}`;
    for (const trigger of ['return.created', 'return.updated', 'return.closed'] as const) {
      pipeline.loop.state.seedWebhook({ topic: 'return', trigger, url });
    }
  });

  afterAll(async () => {
    await gateway?.server.close();
    await pipeline?.close();
    await dev?.close();
  });

  it('turns a return submitted in Loop into a Finale return, and a cancellation in Loop into a cancelled workflow', async () => {
    pipeline.seedOrder('3001', ['TEE-BLK-M']);
    const change = pipeline.loop.state.submitReturn({
      orderName: '#3001',
      items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
    });
    const loopReturnId = String(change.return.id);
    await pipeline.loop.state.deliveriesSettled();
    expect(pipeline.loop.state.deliveries()).toMatchObject([
      { trigger: 'return.created', status: 202, outcome: 'delivered', attempt: 1 },
    ]);

    await pipeline.waitForState(loopReturnId, (s) => s.stage === 'awaiting-finale-completion');
    expect(pipeline.finaleReturns().filter((r) => r.returnId === `LOOP-${loopReturnId}`)).toHaveLength(1);

    pipeline.loop.state.setReturnState(Number(loopReturnId), 'cancelled');
    await pipeline.loop.state.deliveriesSettled();
    expect(pipeline.loop.state.deliveries().filter((d) => d.trigger === 'return.updated')).toMatchObject([
      { status: 202, outcome: 'delivered' },
    ]);
    const result = await pipeline.handle(loopReturnId).result();
    expect(result.outcome).toBe('cancelled');
  });

  it('starts exactly one workflow when Loop delivers the same return twice', async () => {
    pipeline.loop.state.clearDeliveries();
    pipeline.seedOrder('3002', ['CAP-RED']);
    const change = pipeline.loop.state.submitReturn({ orderName: '#3002', items: [{ sku: 'CAP-RED' }] });
    const loopReturnId = String(change.return.id);
    // A second subscription for the same trigger: Loop then sends the same signed body twice.
    const extra = pipeline.loop.state.seedWebhook({
      topic: 'return',
      trigger: 'return.created',
      url: `${gateway.url}/webhooks/loop/${pipeline.tenantId}`,
    });
    try {
      pipeline.loop.state.notify(pipeline.loop.state.records.requireReturn(Number(loopReturnId)), [
        'return.created',
      ]);
      await pipeline.loop.state.deliveriesSettled();
      const created = pipeline.loop.state.deliveries().filter((d) => d.returnId === Number(loopReturnId));
      expect(created.map((d) => d.status)).toEqual([202, 202, 202]);
    } finally {
      pipeline.loop.state.records.webhooks.delete(extra.id);
    }
    expect(await countRuns(pipeline.client, returnWorkflowId(pipeline.tenantId, loopReturnId))).toBe(1);
  });
});
