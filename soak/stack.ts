// The service and everything around it as separate processes on this machine: a PGlite store served to every
// process, both simulators, the Temporal dev server on its own data file, N worker processes and the gateway
// (the production entry points, worker/main.ts and gateway/main.ts). Each can be killed and restarted.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { openStore } from '../store/open-store.ts';
import type { NewTenant } from '../config/tenant-settings.ts';
import { projectRoot } from '../temporal/binaries.ts';
import type { DevServer } from '../temporal/dev-server.ts';
import { startTenantSweeper } from '../temporal/workflow-starts.ts';
import { workflowInterceptorModules, workflowsPath } from '../temporal/workflow-modules.ts';
import { freePort } from '../test/support/free-port.ts';
import type { ManagedProcess, Processes } from './processes.ts';
import { SimControl } from './sim-control.ts';

export interface StackOptions {
  /** Logs, the Temporal data file and the workflow bundle go here. */
  runDir: string;
  workers: number;
  tenant: NewTenant;
  /** Settings for the workers (e.g. the API budgets), on top of what the stack sets. */
  workerEnv?: Record<string, string>;
  /** Settings for the gateway, on top of what the stack sets. */
  gatewayEnv?: Record<string, string>;
  /** Called as each part comes up. */
  progress?: (line: string) => void;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

const TASK_QUEUE = 'loop-finale';
const LOOP_API_VERSION = '2026-07';

/** The pglite-socket package's own server (`pglite-server`): one in-memory PGlite, many connections. */
const pgliteServer = path.join(projectRoot, 'node_modules', '.bin', 'pglite-server');

export async function startStack(processes: Processes, options: StackOptions) {
  const say = options.progress ?? (() => undefined);
  const ports = {
    store: await freePort(),
    finale: await freePort(),
    loop: await freePort(),
    temporal: await freePort(),
    gateway: await freePort(),
  };
  const secretKey = randomBytes(32);
  const databaseUrl = `postgres://postgres@127.0.0.1:${ports.store}/postgres`;
  const bundlePath = path.join(options.runDir, 'workflow-bundle.js');
  const temporalDb = path.join(options.runDir, 'temporal.sqlite');
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const tenantId = options.tenant.settings.tenantId;

  say('starting the store, both simulators and the Temporal dev server; bundling the workflows …');
  const startTemporal = () =>
    processes.temporal('temporal', {
      port: ports.temporal,
      dbFile: temporalDb,
      // Write-ahead log, synced at checkpoints: durable when a process dies (what these runs do to it), and
      // not held back by a sync on every write of a busy server.
      sqlitePragmas: ['journal_mode=wal', 'synchronous=normal'],
      readyTimeoutMs: 180_000,
    });
  const [, , , firstTemporal] = await Promise.all([
    processes.start(
      'store',
      process.execPath,
      [pgliteServer, '--port', String(ports.store), '--max-connections', '100'],
      process.env,
      /PGLiteSocketServer listening/,
    ),
    processes.node(
      'finale',
      'sandbox/finale/main.ts',
      ['--port', String(ports.finale)],
      process.env,
      /listening/,
    ),
    processes.node(
      'loop',
      'sandbox/loop/main.ts',
      ['--port', String(ports.loop), '--no-demo'],
      process.env,
      /listening/,
    ),
    startTemporal(),
    bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('WARN') }).then(
      ({ code }) => writeFile(bundlePath, code),
    ),
  ]);
  let temporal: DevServer = firstTemporal;

  // The first process to open the store migrates it; the others start once it has.
  const store = await openStore({ databaseUrl, secretKey });
  try {
    await store.upsertTenant(options.tenant);
  } finally {
    await store.close();
  }

  const finale = new SimControl(`http://127.0.0.1:${ports.finale}`);
  const loop = new SimControl(`http://127.0.0.1:${ports.loop}`);
  const serviceEnv = {
    ...process.env,
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DATABASE_URL: databaseUrl,
    SECRETS_KEY: secretKey.toString('base64'),
    FINALE_BASE_URL: finale.url,
    LOOP_BASE_URL: `${loop.url}/api`,
    LOOP_API_VERSION,
    TEMPORAL_METRICS_ADDRESS: 'off',
    WORKER_METRICS_ADDRESS: 'off',
  };
  const workerEnv = { ...serviceEnv, WORKFLOW_BUNDLE_PATH: bundlePath, ...options.workerEnv };
  const gatewayEnv = {
    ...serviceEnv,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(ports.gateway),
    PUBLIC_BASE_URL: gatewayUrl,
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    ...options.gatewayEnv,
  };

  const startWorker = (index: number) =>
    processes.node(`worker-${index + 1}`, 'worker/main.ts', [], workerEnv, /"worker running"/);
  const startGateway = () =>
    processes.node('gateway', 'gateway/main.ts', [], gatewayEnv, /"gateway listening"/);

  say(`starting ${options.workers} worker process(es) and the gateway …`);
  const workers: ManagedProcess[] = await Promise.all(
    Array.from({ length: options.workers }, (_, i) => startWorker(i)),
  );
  let gateway = await startGateway();

  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  await startTenantSweeper(client, TASK_QUEUE, tenantId);

  return {
    tenantId,
    taskQueue: TASK_QUEUE,
    finale,
    loop,
    client,
    gatewayUrl,
    webhookUrl: `${gatewayUrl}/webhooks/loop/${tenantId}`,
    databaseUrl,
    secretKey,
    workers,
    get temporalPid() {
      return temporal.pid;
    },
    get gatewayPid() {
      return gateway.pid;
    },

    /**
     * SIGKILLs one worker process, as a crash would, and starts a new one in its place, again and again (as a
     * supervisor would) while it cannot start, e.g. because the Temporal server is restarting too.
     */
    async crashWorker(index: number): Promise<void> {
      await workers[index]!.kill();
      for (let attempt = 1; ; attempt++) {
        try {
          workers[index] = await startWorker(index);
          return;
        } catch (error) {
          if (attempt === 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
      }
    },

    /** Stops the Temporal server and starts it again on the same data file and port. */
    async restartTemporal(): Promise<void> {
      await temporal.stop();
      temporal = await startTemporal();
    },

    /** Stops the gateway (SIGTERM: it finishes in-flight requests) and starts it again on the same port. */
    async restartGateway(): Promise<void> {
      await gateway.stop();
      gateway = await startGateway();
    },

    /** Stops the gateway and the workers (draining), then the rest. */
    async close(): Promise<void> {
      await gateway.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
      await connection.close();
      await processes.stopAll();
    },
  };
}
