// `npm run bench`: N returns through the whole pipeline (webhook snapshot → Finale return → warehouse
// completion → sweeper → Loop processed) on a real dev server against the simulators, beside a bare workflow
// running the same number of no-op activities, in the same run; then the memory of the worker process with
// many open returns, and of the embedded default. Prints figures beside their targets; asserts nothing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import pLimit from 'p-limit';
import { parseReturnWebhook } from '../integrations/loop/webhooks.ts';
import { demoFinaleAccount, demoTenant, seedDemoWorld } from '../sandbox/demo-world.ts';
import { startFinaleSimulator } from '../sandbox/finale/server.ts';
import { startLoopSimulator } from '../sandbox/loop/server.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { startReturnWorkflow, startTenantSweeper } from '../temporal/workflow-starts.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../workflows/ids.ts';
import { sweepNowSignal, sweeperStateQuery } from '../workflows/tenant-sweeper.ts';
import type { returnWorkflow } from '../workflows/return-workflow.ts';
import { openStore } from '../store/open-store.ts';
import { randomBytes } from 'node:crypto';
import { bareWorkflow } from './bare-workflow.ts';
import { measureEmbeddedMemory } from './embedded-memory.ts';
import { loadAverages } from './process-memory.ts';
import { measureWorkerMemory } from './worker-memory.ts';

const options = new Command()
  .option('-n, --returns <n>', 'returns (and bare workflows) to run', '200')
  .option('-c, --concurrency <n>', 'starts in flight at once', '50')
  .option('--open <n>', 'open returns in Finale for the sweeper measurement', '1000')
  .option(
    '--worker-open <n>',
    'open returns waiting for the warehouse, for the worker memory figure',
    '10000',
  )
  .option('--embedded-open <n>', 'open returns, for the memory figure of the embedded default', '1000')
  .option('--only <part>', 'run only "throughput" or "memory"')
  .parse()
  .opts<{
    returns: string;
    concurrency: string;
    open: string;
    workerOpen: string;
    embeddedOpen: string;
    only?: 'throughput' | 'memory';
  }>();
const N = Number(options.returns);
const CONCURRENCY = Number(options.concurrency);
const OPEN = Number(options.open);

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Runs `run` over `items`, CONCURRENCY at a time. */
async function inBatches<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  const limit = pLimit(CONCURRENCY);
  await Promise.all(items.map((item) => limit(() => run(item))));
}

/** Returns per second through the pipeline against a bare workflow, API calls per return, the sweeper's reads. */
async function throughputFigures(): Promise<void> {
  const port = 17_000 + Math.floor(Math.random() * 2_000);
  say(`Starting Temporal dev server on 127.0.0.1:${port} …`);
  const dev = await startDevServer({ port });
  const finale = await startFinaleSimulator();
  const loop = await startLoopSimulator({
    settings: { rateLimit: { requests: 1_000_000, windowMs: 60_000 } },
  });
  const tenantId = 'bench';
  const settings = { tenantId, sweeperIntervalMs: '1s' } as const;
  // The worker process has its own in-memory store; this one only seeds the simulators consistently.
  const seedStore = await openStore({ secretKey: randomBytes(32) });
  await seedDemoWorld({ finale: finale.state, loop: loop.state, store: seedStore, settings });
  await seedStore.close();

  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection });
  const taskQueue = 'bench-pipeline';
  const bareTaskQueue = 'bench-bare';
  const endpoints = { finaleBaseUrl: finale.url, loopBaseUrl: loop.apiBaseUrl, loopApiVersion: '2026-07' };

  say('Starting the worker process …');
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./worker-child.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        BENCH_TEMPORAL_ADDRESS: dev.address,
        BENCH_TASK_QUEUE: taskQueue,
        BENCH_BARE_TASK_QUEUE: bareTaskQueue,
        BENCH_TENANT: JSON.stringify(demoTenant(settings)),
        BENCH_ENDPOINTS: JSON.stringify(endpoints),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    worker.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('bench worker ready') && resolve());
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  /** CPU seconds (user + system) a process has used so far, from /proc. */
  const cpuSeconds = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const cpuNow = () => {
    const { user, system } = process.cpuUsage();
    return { server: cpuSeconds(dev.pid), worker: cpuSeconds(worker.pid!), bench: (user + system) / 1e6 };
  };
  const cpuSince = (before: ReturnType<typeof cpuNow>) => {
    const now = cpuNow();
    return {
      server: now.server - before.server,
      worker: now.worker - before.worker,
      bench: now.bench - before.bench,
    };
  };
  /** Where each run's CPU went, per return, and how busy it kept the machine's cores. */
  const cpuLine = (used: ReturnType<typeof cpuSince>, seconds: number) => {
    const perReturnMs = (s: number) => fmt((1000 * s) / N);
    const total = used.server + used.worker + used.bench;
    return (
      `${perReturnMs(total)} ms per return (Temporal server ${perReturnMs(used.server)}, worker ` +
      `${perReturnMs(used.worker)}, simulators + client ${perReturnMs(used.bench)}); ` +
      `cores ${fmt((100 * total) / (seconds * availableParallelism()), 0)}% busy`
    );
  };
  const peakRssMb = () => {
    const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  };

  /** Plays the warehouse: completes every Finale return as soon as it exists. */
  const warehouse = setInterval(() => {
    for (const r of finale.state.listReturns(demoFinaleAccount.name)) {
      if (r.statusId === 'RETURN_CREATED') finale.state.completeReturn(r.returnUrl);
    }
  }, 50);

  async function runPipeline(count: number, firstOrder: number) {
    const returns = Array.from({ length: count }, (_, i) => {
      const orderId = String(firstOrder + i);
      finale.state.seedOrder(demoFinaleAccount.name, {
        orderId,
        items: [
          { productId: 'TEE-BLK-M', quantity: 2 },
          { productId: 'CAP-RED', quantity: 1 },
        ],
      });
      const submitted = loop.state.submitReturn({
        orderName: `#${orderId}`,
        items: [
          { sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 2 },
          { sku: 'CAP-RED', returnReason: 'Changed my mind' },
        ],
      });
      return parseReturnWebhook({ ...submitted.return, topic: 'return', trigger: 'return.created' }).return;
    });
    const started = Date.now();
    await inBatches(returns, (loopReturn) =>
      startReturnWorkflow(client, taskQueue, { tenantId, loopReturnId: loopReturn.id, loopReturn }),
    );
    const outcomes = await Promise.all(
      returns.map((r) =>
        client.workflow.getHandle<typeof returnWorkflow>(returnWorkflowId(tenantId, r.id)).result(),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const processed = outcomes.filter((o) => o.outcome === 'processed').length;
    if (processed !== count) throw new Error(`only ${processed} of ${count} returns were processed`);
    return { seconds, firstId: returns[0]!.id };
  }

  async function runBare(count: number, activityCount: number) {
    const ids = Array.from({ length: count }, (_, i) => `bare-${Date.now()}-${i}`);
    const started = Date.now();
    await inBatches(ids, (workflowId) =>
      client.workflow.start(bareWorkflow, { taskQueue: bareTaskQueue, workflowId, args: [activityCount] }),
    );
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    return (Date.now() - started) / 1000;
  }

  try {
    await startTenantSweeper(client, taskQueue, tenantId);
    say('Warming up …');
    const warm = await runPipeline(5, 90_000);
    const history = await client.workflow.getHandle(returnWorkflowId(tenantId, warm.firstId)).fetchHistory();
    const activityCount =
      history.events?.filter(
        (e) =>
          e.activityTaskScheduledEventAttributes !== undefined &&
          e.activityTaskScheduledEventAttributes !== null,
      ).length ?? 0;
    await runBare(5, activityCount);

    finale.state.calls.reset();
    loop.state.calls.reset();
    say(`Running ${N} returns through the pipeline (concurrency ${CONCURRENCY}) …`);
    const pipelineCpu = cpuNow();
    const pipeline = await runPipeline(N, 100_000);
    const pipelineCpuUsed = cpuSince(pipelineCpu);
    const finaleCalls = finale.state.calls.snapshot().byEndpoint;
    const loopCalls = loop.state.calls.snapshot().byEndpoint;
    say(`Running ${N} bare workflows of ${activityCount} no-op activities each …`);
    const bareCpu = cpuNow();
    const bareSeconds = await runBare(N, activityCount);
    const bareCpuUsed = cpuSince(bareCpu);

    const sweeperReads = finaleCalls['GET /:account/api/return (collection)'] ?? 0;
    const finalePerReturn =
      Object.entries(finaleCalls)
        .filter(([endpoint]) => endpoint !== 'GET /:account/api/return (collection)')
        .reduce((sum, [, n]) => sum + n, 0) / N;
    const loopPerReturn =
      Object.entries(loopCalls)
        .filter(([endpoint]) => endpoint !== 'GET /warehouse/return/list')
        .reduce((sum, [, n]) => sum + n, 0) / N;

    say(`Measuring the sweeper with ${OPEN} open returns in Finale …`);
    for (let i = 0; i < OPEN; i++) {
      finale.state.seedReturn(demoFinaleAccount.name, {
        returnId: `LOOP-${8_000_000 + i}`,
        facilityName: 'Main Warehouse',
        items: [{ productId: 'MUG-WHT', quantity: 1 }],
      });
    }
    clearInterval(warehouse);
    const sweeper = client.workflow.getHandle(sweeperWorkflowId(tenantId));
    const idle = async () => {
      for (;;) {
        const state = await sweeper.query(sweeperStateQuery);
        if (!state.busy) return state;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await idle();
    finale.state.calls.reset();
    const passes = 10;
    for (let pass = 0; pass < passes; pass++) {
      const open = finale.state
        .listReturns(demoFinaleAccount.name)
        .filter((r) => r.statusId === 'RETURN_CREATED');
      for (const r of open.slice(0, 5)) finale.state.completeReturn(r.returnUrl);
      await sweeper.signal(sweepNowSignal);
      await idle();
    }
    const readsPerPass =
      (finale.state.calls.snapshot().byEndpoint['GET /:account/api/return (collection)'] ?? 0) / passes;
    const defaultIntervalMin = 5;

    const pipelineRate = N / pipeline.seconds;
    const bareRate = N / bareSeconds;
    say('');
    say(
      `Results (N = ${N}, concurrency ${CONCURRENCY}, one worker process, dev server, simulators; load ` +
        `average ${loadAverages()}):`,
    );
    say(`  pipeline:            ${fmt(pipelineRate)} returns/s (${fmt(pipeline.seconds)} s)`);
    say(
      `  bare workflow:       ${fmt(bareRate)} workflows/s (${fmt(bareSeconds)} s, ${activityCount} no-op activities each)`,
    );
    say(`  CPU, pipeline:       ${cpuLine(pipelineCpuUsed, pipeline.seconds)}`);
    say(`  CPU, bare:           ${cpuLine(bareCpuUsed, bareSeconds)}`);
    say(`  ratio:               ${fmt(pipelineRate / bareRate, 2)} (target ≥ 0.85)`);
    say(
      `  Finale calls/return: ${fmt(finalePerReturn, 2)} (target ≤ 3; by endpoint ${JSON.stringify(finaleCalls)})`,
    );
    say(
      `  Loop calls/return:   ${fmt(loopPerReturn, 2)} (target ≤ 2; by endpoint ${JSON.stringify(loopCalls)})`,
    );
    say(
      `  sweeper:             ${sweeperReads} collection reads during the pipeline run (1 per pass, whatever N)`,
    );
    say(
      `  sweeper, ${OPEN} open:  ${fmt(readsPerPass, 2)} collection reads per pass → ${fmt(readsPerPass * (60 / defaultIntervalMin), 0)} per hour at the default ${defaultIntervalMin}-min interval (target ≤ 12)`,
    );
    say(`  worker peak RSS:     ${fmt(peakRssMb(), 0)} MiB`);
  } finally {
    clearInterval(warehouse);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    await connection.close();
    await Promise.all([finale.close(), loop.close()]);
    await dev.stop();
  }
}

/** Worker memory with many open returns, and the embedded default's, each beside its target. */
async function memoryFigures(): Promise<void> {
  say(`Memory (load average ${loadAverages()}; resident memory is far less load-sensitive than throughput):`);
  const dev = await startDevServer({ port: 19_000 + Math.floor(Math.random() * 1_000) });
  const connection = await Connection.connect({ address: dev.address });
  try {
    const worker = await measureWorkerMemory({
      client: new Client({ connection }),
      temporalAddress: dev.address,
      openReturns: Number(options.workerOpen),
      say,
    });
    say(
      `  worker (worker/main.ts): idle ${fmt(worker.idleMiB, 0)} MiB; with ${worker.openReturns} open returns ` +
        `waiting ${fmt(worker.openMiB, 0)} MiB (target ≤ 300), peak ${fmt(worker.peakMiB, 0)} MiB; ` +
        `${worker.cachedWorkflows} workflows cached (WORKER_MAX_CACHED_WORKFLOWS ${worker.cacheLimit}); ` +
        `JavaScript heap ${fmt(worker.heapUsedMiB, 0)} MiB`,
    );
  } finally {
    await connection.close();
    await dev.stop();
  }
  const embedded = await measureEmbeddedMemory({ openReturns: Number(options.embeddedOpen), say });
  say(
    `  embedded default (npm start's process, demo mode): idle ${fmt(embedded.idleMiB, 0)} MiB; with ` +
      `${embedded.openReturns} open returns ${fmt(embedded.openMiB, 0)} MiB (target ≤ 500), peak ` +
      `${fmt(embedded.peakMiB, 0)} MiB; its Temporal dev server (own process) ${fmt(embedded.temporalServerMiB, 0)} MiB`,
  );
  say(`  load average at the end: ${loadAverages()}`);
}

if (options.only !== 'memory') await throughputFigures();
if (options.only !== 'throughput') await memoryFigures();
