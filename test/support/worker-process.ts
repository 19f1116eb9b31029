// A worker in its own process, so a test can kill it with SIGKILL mid-activity as a crash would, or run
// several against one shared tenant store. Configured through environment variables by `spawnWorkerProcess`;
// the API budgets come from the service's own settings (FINALE_GET_BUDGET, …).
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { apiSettingsFromEnv } from '../../config/api-settings.ts';
import { parseEnv } from '../../config/env.ts';
import type { NewTenant } from '../../config/tenant-settings.ts';
import { openStore } from '../../store/open-store.ts';
import { createWorker } from '../../worker/create-worker.ts';

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const env = parseEnv(process.env);
const address = required('WORKER_TEMPORAL_ADDRESS');
const databaseUrl = process.env.WORKER_DATABASE_URL;
const store = databaseUrl
  ? await openStore({ databaseUrl, secretKey: Buffer.from(required('WORKER_SECRETS_KEY'), 'base64') })
  : await openStore({ secretKey: randomBytes(32) });
if (process.env.WORKER_TENANT) await store.upsertTenant(JSON.parse(process.env.WORKER_TENANT) as NewTenant);
const connection = await Connection.connect({ address });
const worker = await createWorker({
  connection: await NativeConnection.connect({ address }),
  namespace: 'default',
  taskQueue: required('WORKER_TASK_QUEUE'),
  client: new Client({ connection }),
  store,
  endpoints: JSON.parse(required('WORKER_ENDPOINTS')) as never,
  workflowBundlePath: process.env.WORKER_BUNDLE_PATH,
  api: apiSettingsFromEnv(env),
});
process.stdout.write('worker ready\n');
await worker.run();
