// Issue 10, gap 11: a merchant who onboarded while demo mode ran had their credentials checked against the
// real APIs, but the worker sent their calls to the simulators until a restart, so their returns parked as
// authentication failures. Now endpoints are chosen per tenant in one running process: the demo tenant's
// calls go to npm start's simulators, a real merchant's to the real APIs (here: a second pair of
// simulators standing in for them), and a merchant onboarded mid-demo completes a return without a restart.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEndpoints } from '../../config/api-endpoints.ts';
import { parseEnv } from '../../config/env.ts';
import { loopWebhookUrl } from '../../gateway/public-urls.ts';
import { startGateway } from '../../gateway/server.ts';
import { demoFinaleAccount } from '../../sandbox/demo-world.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../sandbox/finale/server.ts';
import { startLoopSimulator, type LoopSimulator } from '../../sandbox/loop/server.ts';
import { demoTenantId, startDemoSandbox, type DemoSandbox } from '../../scripts/start/demo-sandbox.ts';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../../workflows/ids.ts';
import { sweepNowSignal } from '../../workflows/tenant-sweeper.ts';
import { createWorker } from '../../worker/create-worker.ts';
import type { SimShop } from '../../sandbox/loop/records.ts';
import { finaleAccount, seedFinaleAccount, seedLoopShops, validFields } from '../gateway/onboarding/world.ts';
import { freePort } from '../support/free-port.ts';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal.ts';

const tenantId = `midemo-${randomBytes(3).toString('hex')}`;
let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let store: TenantStore;
let demo: DemoSandbox;
let real: { finale: FinaleSimulator; loop: LoopSimulator; shop: SimShop };
let worker: Worker;
let running: Promise<void>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const workflowsToStop: string[] = [];

async function until<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(200);
  }
}

beforeAll(async () => {
  dev = await connectToDevServer();
  store = await openStore({ secretKey: randomBytes(32) });
  // npm start's demo mode: its simulators, seeded, with the demo tenant marked as such.
  demo = await startDemoSandbox({ store, host: '127.0.0.1', finalePort: 0, loopPort: 0 });
  // The merchant's real Finale account and Loop shop.
  const [finale, loop] = await Promise.all([startFinaleSimulator(), startLoopSimulator()]);
  seedFinaleAccount(finale);
  finale.state.seedProduct(finaleAccount.name, { productId: 'TEE-BLK-M', internalId: '20020196' });
  finale.state.seedOrder(finaleAccount.name, {
    orderId: '#2001',
    items: [{ productId: 'TEE-BLK-M', quantity: 1 }],
  });
  real = { finale, loop, shop: seedLoopShops(loop) };

  const port = await freePort();
  const env = parseEnv({
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    FINALE_BASE_URL: finale.url,
    LOOP_BASE_URL: loop.apiBaseUrl,
  });
  const taskQueue = uniqueTaskQueue('demo-routing');
  // As npm start wires them in demo mode: one worker and one gateway for every tenant.
  worker = await createWorker({
    connection: dev.nativeConnection,
    namespace: 'default',
    taskQueue,
    client: dev.client,
    store,
    endpoints: apiEndpoints(env, demo.endpoints),
  });
  running = worker.run();
  gateway = await startGateway({
    host: '127.0.0.1',
    port,
    logger: pino({ level: 'silent' }),
    env,
    store,
    temporal: { client: dev.client, taskQueue },
    demoMode: true,
  });
  demo.subscribeWebhooks(loopWebhookUrl(env.PUBLIC_BASE_URL!, demoTenantId));
});

afterAll(async () => {
  for (const id of workflowsToStop) {
    await dev?.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  }
  await gateway?.server.close();
  worker?.shutdown();
  await running;
  await Promise.all([demo?.close(), real?.finale.close(), real?.loop.close()]);
  await store?.close();
  await dev?.close();
});

describe('demo mode with a real merchant onboarded', () => {
  it('completes the merchant’s return against their own APIs, without a restart', async () => {
    const demoCallsBefore = demo.finale.state.calls.snapshot().total + demo.loop.state.calls.snapshot().total;
    const { token } = await store.invites.create({ ttlMs: 3_600_000 });
    const saved = await fetch(`${gateway.url}/onboarding/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(validFields(tenantId)).toString(),
      redirect: 'manual',
    });
    expect(saved.status).toBe(303);
    workflowsToStop.push(sweeperWorkflowId(tenantId));

    // The customer submits a return; the merchant's Loop signs and delivers it to the gateway.
    const submitted = real.loop.state.submitReturn({
      shopId: real.shop.id,
      orderName: '#2001',
      items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
    });
    const loopReturnId = String(submitted.return.id);
    workflowsToStop.push(returnWorkflowId(tenantId, loopReturnId));
    const finaleReturn = await until('the Finale return in the merchant’s account', () =>
      real.finale.state.listReturns(finaleAccount.name).find((r) => r.returnId === `LOOP-${loopReturnId}`),
    );
    real.finale.state.completeReturn(finaleReturn.returnUrl);
    await dev.client.workflow.getHandle(sweeperWorkflowId(tenantId)).signal(sweepNowSignal);
    await until('the Loop return closed', () =>
      real.loop.state.getReturn(Number(loopReturnId)).state === 'closed' ? true : undefined,
    );

    const demoCallsAfter = demo.finale.state.calls.snapshot().total + demo.loop.state.calls.snapshot().total;
    expect(demoCallsAfter).toBe(demoCallsBefore);
  });

  it('still sends the demo tenant’s calls to the simulators, in the same process', async () => {
    const realCallsBefore = real.finale.state.calls.snapshot().total;
    const submitted = demo.loop.state.submitReturn({
      orderName: '#1001',
      items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
    });
    const loopReturnId = String(submitted.return.id);
    workflowsToStop.push(returnWorkflowId(demoTenantId, loopReturnId));
    await until('the Finale return in the demo account', () =>
      demo.finale.state
        .listReturns(demoFinaleAccount.name)
        .find((r) => r.returnId === `LOOP-${loopReturnId}`),
    );
    expect(real.finale.state.calls.snapshot().total).toBe(realCallsBefore);
  });
});
