import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NewTenant } from '../../config/tenant-settings.ts';
import type { ApiEndpoints } from '../../activities/tenant-clients.ts';

const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** Starts a worker process and resolves once it polls; `kill()` ends it with SIGKILL, like a crash. */
export async function spawnWorkerProcess(options: {
  address: string;
  taskQueue: string;
  tenant: NewTenant;
  endpoints: ApiEndpoints;
}) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      WORKER_TEMPORAL_ADDRESS: options.address,
      WORKER_TASK_QUEUE: options.taskQueue,
      WORKER_TENANT: JSON.stringify(options.tenant),
      WORKER_ENDPOINTS: JSON.stringify(options.endpoints),
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
