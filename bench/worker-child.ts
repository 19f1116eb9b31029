// The benchmark's worker process (measured for peak RSS): the real worker for the pipeline, the same worker
// running today's return workflow (the destinations-and-receipts patch refused) for the baseline of calls
// per return, and a worker for the bare baseline workflow, with the same tuning.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { NewTenant } from '../config/tenant-settings.ts';
import { openStore } from '../store/open-store.ts';
import { unthrottledBudgets } from '../test/support/budgets.ts';
import { createWorker, type WorkerDeps } from '../worker/create-worker.ts';
import { defaultTuning } from '../worker/tuning.ts';
import { DESTINATIONS_PATCH } from '../workflows/return-workflow.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const address = env('BENCH_TEMPORAL_ADDRESS');
const store = await openStore({ secretKey: randomBytes(32) });
for (const tenant of JSON.parse(env('BENCH_TENANTS')) as NewTenant[]) await store.upsertTenant(tenant);
const connection = await NativeConnection.connect({ address });

const client = new Client({ connection: await Connection.connect({ address }) });
const pipelineWorker = (taskQueue: string, measure?: WorkerDeps['measure']) =>
  createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    client,
    store,
    endpoints: JSON.parse(env('BENCH_ENDPOINTS')) as never,
    // The simulators have no limits; the published per-key limits would measure Finale's quota, not this code.
    api: { budgets: unthrottledBudgets, maxConcurrent: { finale: 100, loop: 100 } },
    measure,
  });
const pipeline = await pipelineWorker(env('BENCH_TASK_QUEUE'));
const today = await pipelineWorker(env('BENCH_TODAY_TASK_QUEUE'), {
  patchActivationCallback: ({ patchId }) => patchId !== DESTINATIONS_PATCH,
});
const bare = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue: env('BENCH_BARE_TASK_QUEUE'),
  workflowsPath: fileURLToPath(new URL('./bare-workflow.ts', import.meta.url)),
  activities: { noop: async (step: number) => step },
  maxConcurrentActivityTaskExecutions: defaultTuning.maxConcurrentActivities,
  maxConcurrentWorkflowTaskExecutions: defaultTuning.maxConcurrentWorkflowTasks,
  maxCachedWorkflows: defaultTuning.maxCachedWorkflows,
});
process.stdout.write('bench worker ready\n');
await Promise.all([pipeline.run(), today.run(), bare.run()]);
await store.close();
