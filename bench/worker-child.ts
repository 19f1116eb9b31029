// The benchmark's worker process (measured for peak RSS): the real worker for the pipeline, plus a worker
// for the bare baseline workflow, with the same tuning.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { NewTenant } from '../config/tenant-settings.ts';
import { openStore } from '../store/open-store.ts';
import { createWorker, defaultTuning } from '../worker/create-worker.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const address = env('BENCH_TEMPORAL_ADDRESS');
const store = await openStore({ secretKey: randomBytes(32) });
await store.upsertTenant(JSON.parse(env('BENCH_TENANT')) as NewTenant);
const connection = await NativeConnection.connect({ address });
// The simulators have no limits; the published per-key limits would measure Finale's quota, not this code.
const unlimited = { limit: 1_000_000, windowMs: 1_000 };

const pipeline = await createWorker({
  connection,
  namespace: 'default',
  taskQueue: env('BENCH_TASK_QUEUE'),
  client: new Client({ connection: await Connection.connect({ address }) }),
  store,
  endpoints: JSON.parse(env('BENCH_ENDPOINTS')) as never,
  api: {
    budgets: {
      'finale-get': unlimited,
      'finale-post': unlimited,
      'finale-collection': unlimited,
      loop: unlimited,
    },
    maxConcurrent: { finale: 100, loop: 100 },
  },
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
await Promise.all([pipeline.run(), bare.run()]);
await store.close();
