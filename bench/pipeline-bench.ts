// `npm run bench`: N returns through the whole pipeline (webhook snapshot → Finale return → warehouse
// completion → sweeper → Loop processed) on a real dev server against the simulators, beside a bare workflow
// running the same number of no-op activities, in the same run. Also counts API calls per return of today's
// return workflow (the destinations-and-receipts patch refused) as the baseline, and of the current one with
// the Loop note on create and with the sweeper's read carrying the lines. Prints figures; asserts nothing.
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

const options = new Command()
  .option('-n, --returns <n>', 'returns (and bare workflows) to run', '200')
  .option('-c, --concurrency <n>', 'starts in flight at once', '50')
  .option('--open <n>', 'open returns in Finale for the sweeper measurement', '1000')
  .parse()
  .opts<{ returns: string; concurrency: string; open: string }>();
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

const port = 17_000 + Math.floor(Math.random() * 2_000);
say(`Starting Temporal dev server on 127.0.0.1:${port} …`);
const dev = await startDevServer({ port });
const finale = await startFinaleSimulator();
const loop = await startLoopSimulator({ settings: { rateLimit: { requests: 1_000_000, windowMs: 60_000 } } });
const tenantId = 'bench';
const settings = { tenantId, sweeperIntervalMs: '1s' } as const;
/** The same merchant with the optional Loop note on create (a tenant of its own, so settings stay fixed). */
const noteTenantId = 'bench-note';
const noteSettings = { ...settings, tenantId: noteTenantId, loopNoteOnCreate: true } as const;
/** Returns of each extra measurement (calls per return, not speed). */
const EXTRA = Math.min(N, 50);
// The worker process has its own in-memory store; this one only seeds the simulators consistently.
const seedStore = await openStore({ secretKey: randomBytes(32) });
await seedDemoWorld({ finale: finale.state, loop: loop.state, store: seedStore, settings });
await seedStore.close();

const connection = await Connection.connect({ address: dev.address });
const client = new Client({ connection });
const taskQueue = 'bench-pipeline';
const todayTaskQueue = 'bench-pipeline-today';
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
      BENCH_TODAY_TASK_QUEUE: todayTaskQueue,
      BENCH_BARE_TASK_QUEUE: bareTaskQueue,
      BENCH_TENANTS: JSON.stringify([demoTenant(settings), demoTenant(noteSettings)]),
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

async function runPipeline(
  count: number,
  firstOrder: number,
  on: { tenantId: string; taskQueue: string } = { tenantId, taskQueue },
) {
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
    startReturnWorkflow(client, on.taskQueue, {
      tenantId: on.tenantId,
      loopReturnId: loopReturn.id,
      loopReturn,
    }),
  );
  const outcomes = await Promise.all(
    returns.map((r) =>
      client.workflow.getHandle<typeof returnWorkflow>(returnWorkflowId(on.tenantId, r.id)).result(),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const processed = outcomes.filter((o) => o.outcome === 'processed').length;
  if (processed !== count) throw new Error(`only ${processed} of ${count} returns were processed`);
  return { seconds, firstId: returns[0]!.id };
}

const sweepers = [tenantId, noteTenantId].map((id) => client.workflow.getHandle(sweeperWorkflowId(id)));
/** Passes the tenants' sweepers have made: each made one Finale collection read. */
const sweepPasses = async () =>
  (await Promise.all(sweepers.map((sweeper) => sweeper.query(sweeperStateQuery)))).reduce(
    (sum, state) => sum + state.passes,
    0,
  );

/**
 * Finale and Loop calls per return since the counts were reset, leaving out the sweepers' reads (shared by all
 * returns): one Finale collection read per pass (a return's look-up of its returnId uses the same endpoint,
 * so it stays in), and Loop's list.
 */
function callsPerReturn(count: number, passes: number) {
  const finaleCalls = finale.state.calls.snapshot();
  const loopCalls = loop.state.calls.snapshot().byEndpoint;
  const loopTotal = Object.entries(loopCalls)
    .filter(([endpoint]) => endpoint !== 'GET /warehouse/return/list')
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    finale: (finaleCalls.total - passes) / count,
    loop: loopTotal / count,
    sweeperReads: passes,
    finaleCalls: finaleCalls.byEndpoint,
    loopCalls,
  };
}

/** API calls per return of `count` returns run on `on`. */
async function measureCalls(count: number, firstOrder: number, on?: { tenantId: string; taskQueue: string }) {
  finale.state.calls.reset();
  loop.state.calls.reset();
  const passes = await sweepPasses();
  await runPipeline(count, firstOrder, on);
  return callsPerReturn(count, (await sweepPasses()) - passes);
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
  await startTenantSweeper(client, taskQueue, noteTenantId);
  say('Warming up …');
  const warm = await runPipeline(5, 90_000);
  // Today's worker too, so neither baseline pays for cold caches (facility, order-ID form).
  await runPipeline(5, 95_000, { tenantId, taskQueue: todayTaskQueue });
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
  const passesBefore = await sweepPasses();
  say(`Running ${N} returns through the pipeline (concurrency ${CONCURRENCY}) …`);
  const pipelineCpu = cpuNow();
  const pipeline = await runPipeline(N, 100_000);
  const pipelineCpuUsed = cpuSince(pipelineCpu);
  const calls = callsPerReturn(N, (await sweepPasses()) - passesBefore);
  say(`Running ${N} bare workflows of ${activityCount} no-op activities each …`);
  const bareCpu = cpuNow();
  const bareSeconds = await runBare(N, activityCount);
  const bareCpuUsed = cpuSince(bareCpu);

  const sweeperReads = calls.sweeperReads;

  say(`Counting API calls of ${EXTRA} returns each: today's workflow, the Loop note on, lines in sweeps …`);
  const today = await measureCalls(EXTRA, 200_000, { tenantId, taskQueue: todayTaskQueue });
  const withNote = await measureCalls(EXTRA, 300_000, { tenantId: noteTenantId, taskQueue });
  finale.state.updateSettings({ collectionReturnItems: 'include' });
  const linesInSweeps = await measureCalls(EXTRA, 400_000);
  finale.state.updateSettings({ collectionReturnItems: 'omit' });
  // Only the one tenant's sweeper is measured below.
  await sweepers[1]!.terminate('its returns are measured');

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
  say(`Results (N = ${N}, concurrency ${CONCURRENCY}, one worker process, dev server, simulators):`);
  say(`  pipeline:            ${fmt(pipelineRate)} returns/s (${fmt(pipeline.seconds)} s)`);
  say(
    `  bare workflow:       ${fmt(bareRate)} workflows/s (${fmt(bareSeconds)} s, ${activityCount} no-op activities each)`,
  );
  say(`  CPU, pipeline:       ${cpuLine(pipelineCpuUsed, pipeline.seconds)}`);
  say(`  CPU, bare:           ${cpuLine(bareCpuUsed, bareSeconds)}`);
  say(`  ratio:               ${fmt(pipelineRate / bareRate, 2)} (target ≥ 0.85)`);
  say(
    `  Finale calls/return: ${fmt(calls.finale, 2)} (today's workflow ${fmt(today.finale, 2)}: target ≤ ${fmt(today.finale + 1, 2)}; ` +
      `${fmt(linesInSweeps.finale, 2)} when the sweeper's read carries the lines; by endpoint ${JSON.stringify(calls.finaleCalls)})`,
  );
  say(
    `  Loop calls/return:   ${fmt(calls.loop, 2)}, with the Loop note on create ${fmt(withNote.loop, 2)} ` +
      `(today's workflow ${fmt(today.loop, 2)}; target ≤ 2; by endpoint ${JSON.stringify(withNote.loopCalls)})`,
  );
  say(`  today's Finale calls by endpoint: ${JSON.stringify(today.finaleCalls)}`);
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
