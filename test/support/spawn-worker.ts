import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NewTenant } from '../../config/tenant-settings.ts';
import type { ApiEndpoints } from '../../activities/tenant-clients.ts';

const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/**
 * Starts a worker process and resolves once it polls; `kill()` ends it with SIGKILL, like a crash. Without a
 * `store` it keeps its own in-memory store holding `tenant`; with one, it shares that database.
 */
export async function spawnWorkerProcess(options: {
  address: string;
  taskQueue: string;
  tenant?: NewTenant;
  endpoints: ApiEndpoints;
  store?: { databaseUrl: string; secretKey: Buffer };
  /** A prebuilt workflow bundle, so several workers do not each bundle the workflows. */
  bundlePath?: string;
  /** Service settings for the worker, e.g. `FINALE_GET_BUDGET`. */
  env?: Record<string, string>;
}) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      ...options.env,
      WORKER_TEMPORAL_ADDRESS: options.address,
      WORKER_TASK_QUEUE: options.taskQueue,
      WORKER_ENDPOINTS: JSON.stringify(options.endpoints),
      ...(options.tenant && { WORKER_TENANT: JSON.stringify(options.tenant) }),
      ...(options.store && {
        WORKER_DATABASE_URL: options.store.databaseUrl,
        WORKER_SECRETS_KEY: options.store.secretKey.toString('base64'),
      }),
      ...(options.bundlePath && { WORKER_BUNDLE_PATH: options.bundlePath }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker process exited (${code}):\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
