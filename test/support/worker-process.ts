// A worker in its own process, so a test can kill it with SIGKILL mid-activity as a crash would.
// Configured through environment variables by `spawnWorkerProcess`.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { NewTenant } from '../../config/tenant-settings.ts';
import { openStore } from '../../store/open-store.ts';
import { createWorker } from '../../worker/create-worker.ts';

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const address = required('WORKER_TEMPORAL_ADDRESS');
const store = await openStore({ secretKey: randomBytes(32) });
await store.upsertTenant(JSON.parse(required('WORKER_TENANT')) as NewTenant);
const connection = await Connection.connect({ address });
const worker = await createWorker({
  connection: await NativeConnection.connect({ address }),
  namespace: 'default',
  taskQueue: required('WORKER_TASK_QUEUE'),
  client: new Client({ connection }),
  store,
  endpoints: JSON.parse(required('WORKER_ENDPOINTS')) as never,
});
process.stdout.write('worker ready\n');
await worker.run();
