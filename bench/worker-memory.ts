// Memory figure of `npm run bench`: the production worker process (worker/main.ts, default settings, prebuilt
// workflow bundle, the tenant store on a PostgreSQL connection) idle, then with many open returns waiting for
// the warehouse. Its memory must not grow with the number of open returns: the workflow cache bounds it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { demoFinaleAccount, demoTenant } from '../sandbox/demo-world.ts';
import { buildWorkflowBundle } from '../scripts/start/workflow-bundle.ts';
import { projectRoot } from '../temporal/binaries.ts';
import { pgliteServerTarget } from '../test/store/store-targets.ts';
import { freePort } from '../test/support/free-port.ts';
import { defaultTuning } from '../worker/tuning.ts';
import { finaleReturnIdOf, startWaitingReturns } from './open-returns.ts';
import { metricSum, nodeArgsOfScript, peakRssMiB, rssMiB, scrape, until } from './process-memory.ts';

export interface WorkerMemoryFigures {
  idleMiB: number;
  openMiB: number;
  peakMiB: number;
  openReturns: number;
  cachedWorkflows: number;
  cacheLimit: number;
  heapUsedMiB: number;
}

const SETTLE_MS = 15_000;

export async function measureWorkerMemory(options: {
  client: Client;
  temporalAddress: string;
  openReturns: number;
  say: (line: string) => void;
}): Promise<WorkerMemoryFigures> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-worker-memory-'));
  // The store a production worker reaches over the network, served from this process.
  const database = await pgliteServerTarget();
  const secretKey = randomBytes(32);
  const tenantId = 'bench-memory';
  const taskQueue = 'bench-memory';
  const store = await database.open(secretKey);
  await store.upsertTenant(demoTenant({ tenantId }));
  await store.close();

  const [sdkPort, appPort] = [await freePort(), await freePort()];
  const appMetrics = `http://127.0.0.1:${appPort}/metrics`;
  const sdkMetrics = `http://127.0.0.1:${sdkPort}/metrics`;
  // The process `npm run worker` (the container's command) runs, with its flags.
  const worker = spawn(process.execPath, nodeArgsOfScript(projectRoot, 'worker'), {
    cwd: projectRoot,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: database.databaseUrl,
      SECRETS_KEY: secretKey.toString('base64'),
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${appPort}`,
      WORKFLOW_BUNDLE_PATH: await buildWorkflowBundle(dataDir),
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = worker.pid!;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    await until(
      'the worker to serve its metrics',
      async () => (await scrape(appMetrics)) !== undefined,
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleMiB = rssMiB(pid);

    const loopReturnIds = Array.from({ length: options.openReturns }, (_, i) => String(60_000_000 + i));
    options.say(`  starting ${options.openReturns} returns waiting for the warehouse …`);
    const started = Date.now();
    await startWaitingReturns({
      client: options.client,
      taskQueue,
      tenantId,
      loopReturnIds,
      finaleReturnUrl: async (id) => `/${demoFinaleAccount.name}/api/return/${finaleReturnIdOf(id)}`,
      metricsUrl: appMetrics,
    });
    options.say(`  all ${options.openReturns} waiting after ${Math.round((Date.now() - started) / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const sdk = (await scrape(sdkMetrics)) ?? '';
    const app = (await scrape(appMetrics)) ?? '';
    return {
      idleMiB,
      openMiB: rssMiB(pid),
      peakMiB: peakRssMiB(pid),
      openReturns: options.openReturns,
      cachedWorkflows: metricSum(sdk, 'temporal_sticky_cache_size'),
      cacheLimit: defaultTuning.maxCachedWorkflows,
      heapUsedMiB: metricSum(app, 'nodejs_heap_size_used_bytes') / 1024 / 1024,
    };
  } finally {
    worker.kill('SIGTERM');
    await exited;
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}
