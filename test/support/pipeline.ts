// The whole pipeline for a test: both simulators, an in-memory tenant store with the demo tenant, and a
// worker running the real workflows and activities against a real Temporal server.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { ApiSettings } from '../../config/api-settings.ts';
import type { TenantSettingsInput } from '../../config/tenant-settings.ts';
import type { LoopReturn } from '../../integrations/loop/loop-return.ts';
import { parseReturnWebhook } from '../../integrations/loop/webhooks.ts';
import { demoFinaleAccount, seedDemoWorld } from '../../sandbox/demo-world.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../sandbox/finale/server.ts';
import { startLoopSimulator, type LoopSimulator } from '../../sandbox/loop/server.ts';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { exportHistory, fetchRunHistories } from '../../temporal/histories.ts';
import { startReturnWorkflow, startTenantSweeper } from '../../temporal/workflow-starts.ts';
import { returnWorkflowId } from '../../workflows/ids.ts';
import { stateQuery, type ReturnState } from '../../workflows/messages.ts';
import type { returnWorkflow } from '../../workflows/return-workflow.ts';
import { createWorker, type WorkerDeps } from '../../worker/create-worker.ts';
import type { WorkerTuning } from '../../worker/tuning.ts';
import { testSizedBudgets } from './budgets.ts';
import { uniqueTaskQueue } from './temporal.ts';

export interface PipelineOptions {
  client: Client;
  nativeConnection: NativeConnection;
  namespace?: string;
  settings?: Partial<TenantSettingsInput>;
  tuning?: Partial<WorkerTuning>;
  alertWebhookUrl?: string;
  /** Default: budgets no test reaches (Finale's 300 collection reads an hour would pace a test file's returns). */
  api?: Partial<ApiSettings>;
  measure?: WorkerDeps['measure'];
}

/** Distinctive customer data on every submitted return, so history scans can prove none of it leaks. */
export const testCustomer = {
  email: 'ada.lovelace@analytical.example',
  firstName: 'Augusta',
  lastName: 'Lovelace-Byron',
  phone: '+44 20 7946 0958',
  address1: '12 Difference Engine Row',
  address2: 'Flat 3',
  city: 'Marylebone Vale',
  province: 'Greater Lundun',
  zip: 'NW1 6XE',
  country: 'United Kingdom',
  countryCode: 'GB',
};

export interface ReturnLine {
  /** `''` for a product variant without a SKU. */
  sku: string;
  title?: string;
  returnReason?: string;
  parentReturnReason?: string;
  quantity?: number;
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

export async function startPipeline(options: PipelineOptions) {
  const finale: FinaleSimulator = await startFinaleSimulator();
  const loop: LoopSimulator = await startLoopSimulator();
  const store: TenantStore = await openStore({ secretKey: randomBytes(32) });
  // A tenant ID of its own: simulators number returns alike, so workflow IDs must differ between pipelines
  // sharing one Temporal server.
  const { tenant, shop } = await seedDemoWorld({
    finale: finale.state,
    loop: loop.state,
    store,
    settings: { tenantId: `demo-${randomBytes(4).toString('hex')}`, ...options.settings },
  });
  const tenantId = tenant.settings.tenantId;
  const taskQueue = uniqueTaskQueue('pipeline');
  const endpoints = { finaleBaseUrl: finale.url, loopBaseUrl: loop.apiBaseUrl, loopApiVersion: '2026-07' };

  const newWorker = () =>
    createWorker({
      connection: options.nativeConnection,
      namespace: options.namespace ?? 'default',
      taskQueue,
      client: options.client,
      store,
      endpoints,
      tuning: options.tuning,
      alerts: { webhookUrl: options.alertWebhookUrl, webUiUrl: 'http://127.0.0.1:8233' },
      api: options.api ?? { budgets: testSizedBudgets },
      measure: options.measure,
    });
  let worker: Worker = await newWorker();
  let running = worker.run();

  const handle = (loopReturnId: string) =>
    options.client.workflow.getHandle<typeof returnWorkflow>(returnWorkflowId(tenantId, loopReturnId));
  const state = (loopReturnId: string): Promise<ReturnState> => handle(loopReturnId).query(stateQuery);

  return {
    finale,
    loop,
    store,
    tenantId,
    /** The demo shop in the Loop simulator, for destinations added later. */
    shopId: shop.id,
    taskQueue,
    endpoints,
    client: options.client,
    account: demoFinaleAccount.name,

    /** An order as Finale would hold it once synced, with lines for the given SKUs. */
    seedOrder(orderId: string, skus: string[], visibleAfterMs = 0) {
      finale.state.seedOrder(demoFinaleAccount.name, {
        orderId,
        visibleAfterMs,
        items: skus.map((productId) => ({ productId, quantity: 1 })),
      });
    },

    /**
     * A customer submits a return in Loop (to the shop's first destination, or `destinationId`); returns the
     * PII-free snapshot a webhook would carry.
     */
    submitReturn(orderName: string, lines: ReturnLine[], destinationId?: number): LoopReturn {
      const change = loop.state.submitReturn({
        orderName,
        ...(destinationId === undefined ? {} : { destinationId }),
        customer: testCustomer,
        items: lines.map((line) => ({
          sku: line.sku,
          ...(line.title === undefined ? {} : { title: line.title }),
          returnReason: line.returnReason ?? '',
          parentReturnReason: line.parentReturnReason ?? '',
          quantity: line.quantity ?? 1,
        })),
      });
      return parseReturnWebhook({ ...change.return, topic: 'return', trigger: 'return.created' }).return;
    },

    /** Starts the return's workflow as the gateway does for `return.created`. */
    async start(loopReturn: LoopReturn, tuning: { continueAsNewAfterEvents?: number } = {}) {
      await startReturnWorkflow(options.client, taskQueue, {
        tenantId,
        loopReturnId: loopReturn.id,
        loopReturn,
        ...tuning,
      });
      return handle(loopReturn.id);
    },

    /** Every run of the return's workflow, oldest first. */
    runs: (loopReturnId: string) =>
      fetchRunHistories(options.client, returnWorkflowId(tenantId, loopReturnId)),

    startSweeper: () => startTenantSweeper(options.client, taskQueue, tenantId),

    handle,
    state,

    /** Polls the workflow's state until `predicate` holds. */
    async waitForState(loopReturnId: string, predicate: (state: ReturnState) => boolean, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ReturnState | undefined;
      while (Date.now() < deadline) {
        try {
          const current = await state(loopReturnId);
          last = current;
          if (predicate(current)) return current;
        } catch {
          // not started yet, or between tasks
        }
        await delay(100);
      }
      throw new Error(
        `Timed out waiting for return ${loopReturnId}; last state: ${JSON.stringify(last, null, 2)}`,
      );
    },

    /**
     * With RECORD_HISTORIES=<folder>, saves the workflow's history there as a replay fixture named after
     * the path it took (`npm run record:histories` regenerates them all).
     */
    async recordHistory(name: string, workflowId: string, runId?: string) {
      const folder = process.env.RECORD_HISTORIES;
      if (folder) await exportHistory(options.client, workflowId, path.join(folder, `${name}.json`), runId);
    },

    finaleReturns: () => finale.state.listReturns(demoFinaleAccount.name),

    finaleCalls: (endpoint: string) => finale.state.calls.count(endpoint),

    loopCalls: (endpoint: string) => loop.state.calls.count(endpoint),

    /** Stops the worker abruptly-but-cleanly and starts a fresh one on the same task queue. */
    async restartWorker() {
      worker.shutdown();
      await running;
      worker = await newWorker();
      running = worker.run();
    },

    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await Promise.all([finale.close(), loop.close(), store.close()]);
    },
  };
}
