// `npm run bench:burst`: a Black-Friday burst. N returns of one tenant reach the gateway at once (Loop
// delivers their webhooks) while the simulators enforce the APIs' published limits, scaled by the same factor
// as the service's budgets so the run takes minutes. Run with 2 worker processes, then with 1, each on a
// fresh set of processes (soak/stack.ts). Prints the drain rate against the limit-bound floor measured in the
// same run, 429s received, returns parked, webhook-to-Finale latency and API calls per return.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pLimit from 'p-limit';
import { demoTenant } from '../sandbox/demo-world.ts';
import { parseFinaleDate } from '../sandbox/finale/finale-date.ts';
import { countWorkflows } from '../soak/ledger.ts';
import { Processes } from '../soak/processes.ts';
import { runDirectory } from '../soak/run-dir.ts';
import { startStack, type Stack } from '../soak/stack.ts';
import type { FinaleReturnRecord } from '../soak/warehouse.ts';
import { finaleAccount, seedWorld } from '../soak/world.ts';

const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};
const options = new Command()
  .name('bench:burst')
  .option('-n, --returns <n>', 'returns arriving at once', count, 2000)
  .option('--scale <n>', 'API limits ×n, in the simulators and the service budgets alike', count, 10)
  .option('--workers <list>', 'worker process counts to run, in order', '2,1')
  .option('--run-dir <dir>', 'logs and Temporal data (default .soak/burst-<time>, the last 5 kept)')
  .parse()
  .opts<{ returns: number; scale: number; workers: string; runDir?: string }>();

const N = options.returns;
const scale = options.scale;
const MINUTE = 60_000;
/** The published limits (Finale: third-party reports; Loop: documented), per minute. */
const limitsPerMinute = { finaleGet: 120 * scale, finalePost: 120 * scale, loop: 300 * scale };
const say = (line: string) => process.stdout.write(`${line}\n`);
const runRoot = runDirectory('burst', options.runDir);

interface CallSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
}

const sum = (calls: CallSnapshot, match: (endpoint: string) => boolean) =>
  Object.entries(calls.byEndpoint)
    .filter(([endpoint]) => match(endpoint))
    .reduce((total, [, n]) => total + n, 0);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

interface BurstFigures {
  workers: number;
  submitSeconds: number;
  drainSeconds: number;
  ratePerMinute: number;
  floorPerMinute: number;
  boundBy: string;
  rateLimited: number;
  parkedMax: number;
  latency: { p50: number; p99: number };
  completionSeconds: number;
  finalePerReturn: number;
  loopPerReturn: number;
  finaleByEndpoint: Record<string, number>;
  loopByEndpoint: Record<string, number>;
  load: number;
}

const parked = (stack: Stack) =>
  countWorkflows(
    stack.client,
    'WorkflowType = "returnWorkflow" AND ExecutionStatus = "Running" AND ReturnStage = "needs-attention"',
  );

async function burst(workers: number): Promise<BurstFigures> {
  const runDir = path.join(runRoot, `${workers}-workers`);
  mkdirSync(runDir, { recursive: true });
  const processes = new Processes(runDir);
  const removeHandlers = processes.killOnExit();
  try {
    const stack = await startStack(processes, {
      runDir,
      workers,
      tenant: demoTenant({ tenantId: 'burst', sweeperIntervalMs: '10s' }),
      workerEnv: {
        FINALE_GET_BUDGET: `${limitsPerMinute.finaleGet}/min`,
        FINALE_POST_BUDGET: `${limitsPerMinute.finalePost}/min`,
        FINALE_COLLECTION_BUDGET: `${300 * scale}/h`,
        LOOP_BUDGET: `${limitsPerMinute.loop}/min`,
      },
      gatewayEnv: { WEBHOOK_RATE_LIMIT_MAX: '1000000', WEBHOOK_TENANT_RATE_LIMIT_MAX: '1000000' },
      progress: (line) => say(`  [${workers} worker(s)] ${line}`),
    });
    await seedWorld(stack, stack.webhookUrl);
    await stack.finale.patch('/settings', {
      rateLimits: {
        get: { requests: limitsPerMinute.finaleGet, windowMs: MINUTE },
        post: { requests: limitsPerMinute.finalePost, windowMs: MINUTE },
        collection: { requests: 300 * scale, windowMs: 60 * MINUTE },
      },
    });
    await stack.loop.patch('/settings', { rateLimit: { requests: limitsPerMinute.loop, windowMs: MINUTE } });

    say(`  [${workers} worker(s)] seeding ${N} orders in Finale …`);
    const limit = pLimit(50);
    const orderName = (i: number) => `#${200_000 + i}`;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        limit(() =>
          stack.finale.post(`/accounts/${finaleAccount}/orders`, {
            orderId: orderName(i),
            items: [{ productId: 'TEE-BLK-M', quantity: 1 }],
          }),
        ),
      ),
    );
    await stack.finale.delete('/calls');
    await stack.loop.delete('/calls');

    say(`  [${workers} worker(s)] ${N} returns submitted in Loop at once …`);
    const submittedAt = new Map<string, number>();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        limit(async () => {
          const change = await stack.loop.post<{ return: { id: number } }>('/returns', {
            orderName: orderName(i),
            items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
          });
          submittedAt.set(`LOOP-${change.return.id}`, Date.now());
        }),
      ),
    );
    const submitSeconds = (Date.now() - started) / 1000;

    const finaleReturns = () => stack.finale.get<FinaleReturnRecord[]>(`/accounts/${finaleAccount}/returns`);
    let parkedMax = 0;
    let created: FinaleReturnRecord[] = [];
    for (;;) {
      created = await finaleReturns();
      parkedMax = Math.max(parkedMax, await parked(stack));
      if (created.length >= N) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const createdMs = created.map((r) => parseFinaleDate(r.createdDate)!);
    // Finale stamps whole seconds: the drain ends within the second of the last create.
    const drainSeconds = (Math.max(...createdMs) + 1_000 - started) / 1000;
    const drainCalls = await stack.finale.get<CallSnapshot>('/calls');
    const latencies = created
      .map((r) => (parseFinaleDate(r.createdDate)! + 500 - submittedAt.get(r.returnId)!) / 1000)
      .sort((a, b) => a - b);

    say(
      `  [${workers} worker(s)] all in Finale after ${drainSeconds.toFixed(0)} s; the warehouse completes them …`,
    );
    const completing = Date.now();
    await Promise.all(
      created.map((r) => limit(() => stack.finale.post('/returns/complete', { returnUrl: r.returnUrl }))),
    );
    for (;;) {
      const { returns } = await stack.loop.get<{ returns: { state: string }[] }>('/returns');
      parkedMax = Math.max(parkedMax, await parked(stack));
      if (returns.filter((r) => r.state === 'closed').length >= N) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const completionSeconds = (Date.now() - completing) / 1000;

    const [finaleCalls, loopCalls, finaleLimited, loopLimited] = await Promise.all([
      stack.finale.get<CallSnapshot>('/calls'),
      stack.loop.get<CallSnapshot>('/calls'),
      stack.finale.get<{ total: number }>('/calls/rate-limited'),
      stack.loop.get<{ total: number }>('/calls/rate-limited'),
    ]);
    const load = os.loadavg()[0]!;
    await stack.close();

    // The floor: the best rate the limits allow for the calls a return made while the burst drained.
    const getsPerReturn = sum(drainCalls, (e) => e.startsWith('GET ')) / N;
    const postsPerReturn = sum(drainCalls, (e) => e.startsWith('POST ')) / N;
    const bounds = [
      {
        by: `Finale GETs (${getsPerReturn.toFixed(2)}/return)`,
        rate: limitsPerMinute.finaleGet / getsPerReturn,
      },
      {
        by: `Finale POSTs (${postsPerReturn.toFixed(2)}/return)`,
        rate: limitsPerMinute.finalePost / postsPerReturn,
      },
    ].sort((a, b) => a.rate - b.rate);
    return {
      workers,
      submitSeconds,
      drainSeconds,
      ratePerMinute: (N / drainSeconds) * 60,
      floorPerMinute: bounds[0]!.rate,
      boundBy: bounds[0]!.by,
      rateLimited: finaleLimited.total + loopLimited.total,
      parkedMax,
      latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      completionSeconds,
      finalePerReturn: finaleCalls.total / N,
      loopPerReturn: loopCalls.total / N,
      finaleByEndpoint: finaleCalls.byEndpoint,
      loopByEndpoint: loopCalls.byEndpoint,
      load,
    };
  } finally {
    await processes.stopAll();
    removeHandlers();
  }
}

const runs = options.workers.split(',').map((w) => count(w.trim()));
say(
  `Burst: ${N} returns at once, limits ×${scale} (Finale ${limitsPerMinute.finaleGet} GET and ` +
    `${limitsPerMinute.finalePost} POST a minute, ${300 * scale} collection reads an hour; Loop ${limitsPerMinute.loop} a minute), ` +
    `enforced by the simulators and budgeted by the service. Run folder: ${runRoot}`,
);
const results: BurstFigures[] = [];
for (const workers of runs) results.push(await burst(workers));

const rows: [string, (r: BurstFigures) => string][] = [
  ['worker processes', (r) => String(r.workers)],
  ['submitted in', (r) => `${r.submitSeconds.toFixed(1)} s`],
  ['drained to Finale in', (r) => `${r.drainSeconds.toFixed(0)} s`],
  ['drain rate', (r) => `${r.ratePerMinute.toFixed(0)} returns/min`],
  ['limit-bound floor', (r) => `${r.floorPerMinute.toFixed(0)} returns/min (${r.boundBy})`],
  ['rate / floor (target ≥ 0.9)', (r) => (r.ratePerMinute / r.floorPerMinute).toFixed(2)],
  ['429s received (target 0)', (r) => String(r.rateLimited)],
  ['returns parked (target 0)', (r) => String(r.parkedMax)],
  ['webhook → Finale p50 / p99', (r) => `${r.latency.p50.toFixed(0)} s / ${r.latency.p99.toFixed(0)} s`],
  ['completed → Loop closed, all', (r) => `${r.completionSeconds.toFixed(0)} s`],
  ['Finale calls per return', (r) => r.finalePerReturn.toFixed(2)],
  ['Loop calls per return', (r) => r.loopPerReturn.toFixed(2)],
  ['load average (1 min)', (r) => r.load.toFixed(1)],
];
const width = Math.max(...rows.map(([label]) => label.length));
const colWidth = Math.max(...results.flatMap((r) => rows.map(([, cell]) => cell(r).length)));
say('');
for (const [label, cell] of rows) {
  say(`${label.padEnd(width)}  ${results.map((r) => cell(r).padEnd(colWidth)).join('  ')}`);
}
for (const r of results) {
  say(`calls by endpoint, ${r.workers} worker(s): Finale ${JSON.stringify(r.finaleByEndpoint)}`);
  say(`  Loop ${JSON.stringify(r.loopByEndpoint)}`);
}
process.exit(0);
