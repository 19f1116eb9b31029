// `npm run bench:burst`: a Black-Friday burst. N returns of one tenant reach the gateway at once (Loop
// delivers their webhooks) while the simulators enforce the APIs' published limits on a clock shortened by the
// same factor as the service's budgets (soak/limits.ts), so the run takes minutes. Run with 2 worker processes,
// then with 1, each on a fresh set of processes (soak/stack.ts). Prints the drain rate against the limit-bound
// floor of the same run, each budget's use, 429s received, returns parked, webhook-to-Finale latency and API
// calls per return.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { positiveInt } from '../cli/commands/context.ts';
import pLimit from 'p-limit';
import { bucketShape, budgetNames, type BudgetName } from '../integrations/budget-rules.ts';
import { demoTenant } from '../sandbox/demo-world.ts';
import { parseFinaleDate } from '../sandbox/finale/finale-date.ts';
import { countWorkflows } from '../soak/ledger.ts';
import { scaledLimits, scaleOption } from '../soak/limits.ts';
import { Processes } from '../soak/processes.ts';
import { runDirectory } from '../soak/run-dir.ts';
import { startStack, type Stack } from '../soak/stack.ts';
import type { FinaleReturnRecord } from '../soak/warehouse.ts';
import { finaleAccount, seedWorld } from '../soak/world.ts';

const options = new Command()
  .name('bench:burst')
  .option('-n, --returns <n>', 'returns arriving at once', positiveInt, 2000)
  .addOption(scaleOption(2))
  .option('--workers <list>', 'worker process counts to run, in order', '2,1')
  .option('--no-completion', 'stop once every return is in Finale, without the warehouse completing them')
  .option('--run-dir <dir>', 'logs and Temporal data (default .soak/burst-<time>, the last 5 kept)')
  .parse()
  .opts<{ returns: number; scale: number; workers: string; completion: boolean; runDir?: string }>();

const N = options.returns;
const limits = scaledLimits(options.scale);
const say = (line: string) => process.stdout.write(`${line}\n`);
const runRoot = runDirectory('burst', options.runDir);

/** The issue's floor: a return needs one Finale GET (its order) and one POST (its create). */
const issueFloor = floorOf({
  'finale-get': limits.perMinute('finale-get'),
  'finale-post': limits.perMinute('finale-post'),
});
/** Calls a minute a budget lets through for good: its bucket's refill (soak/limits.ts gives the service the same rules). */
const sustained = (name: BudgetName) => bucketShape(limits.rules[name]).refillPerSecond * 60;
/**
 * The floor the budgets allow. A bucket that keeps every sliding window under the limit refills below it, by
 * its burst and one call of headroom. The lookup-first read of each returnId is a collection read (a GET too)
 * shared by every look-up waiting, sent at most at the collection budget's pace: the orders get the GETs left.
 */
const budgetedFloor = floorOf({
  'finale-get': sustained('finale-get') - sustained('finale-collection'),
  'finale-post': sustained('finale-post'),
});
/** Which budgets a Finale endpoint label of the simulator's `/calls` spends (as the client budgets them). */
const budgetsOfEndpoint = (endpoint: string): BudgetName[] =>
  endpoint.startsWith('POST ')
    ? ['finale-post']
    : endpoint.endsWith('(collection)')
      ? ['finale-get', 'finale-collection']
      : ['finale-get'];

/** The fastest drain (returns a minute) when each budget allows so many returns a minute, and the budget that binds. */
function floorOf(returnsPerMinute: Partial<Record<BudgetName, number>>): {
  perMinute: number;
  boundBy: BudgetName;
} {
  const bounds = Object.entries(returnsPerMinute)
    .map(([name, perMinute]) => ({ boundBy: name as BudgetName, perMinute }))
    .sort((a, b) => a.perMinute - b.perMinute);
  return bounds[0]!;
}

interface CallSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
}

function finaleCallsByBudget(calls: CallSnapshot): Record<BudgetName, number> {
  const spent = { 'finale-get': 0, 'finale-post': 0, 'finale-collection': 0, loop: 0 };
  for (const [endpoint, n] of Object.entries(calls.byEndpoint)) {
    for (const budget of budgetsOfEndpoint(endpoint)) spent[budget] += n;
  }
  return spent;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

interface BurstFigures {
  workers: number;
  submitSeconds: number;
  drainSeconds: number;
  ratePerMinute: number;
  /** Finale calls of each budget during the drain, per return, and their rate against the limit. */
  drainBudgets: Record<BudgetName, { perReturn: number; perMinute: number }>;
  rateLimited: { finale: number; loop: number };
  /** The most returns seen parked (needs-attention) at once, polled every second. */
  parkedMax: number;
  latency: { p50: number; p99: number };
  /** Undefined when the run stopped at the drain (--no-completion). */
  completionSeconds: number | undefined;
  finalePerReturn: number;
  loopPerReturn: number;
  finaleByEndpoint: Record<string, number>;
  loopByEndpoint: Record<string, number>;
  load: { start: number; end: number };
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
  const loadAtStart = os.loadavg()[0]!;
  try {
    const stack = await startStack(processes, {
      runDir,
      workers,
      tenant: demoTenant({ tenantId: 'burst', sweeperIntervalMs: '10s' }),
      workerEnv: limits.workerEnv,
      // The burst measures the drain into Finale, not the gateway's intake limit: Loop delivers 2,000
      // returns' webhooks (and their updates once processed) for one tenant within a minute or two.
      gatewayEnv: { WEBHOOK_TENANT_RATE_LIMIT_MAX: '1000000' },
      progress: (line) => say(`  [${workers} worker(s)] ${line}`),
    });
    await seedWorld(stack, stack.webhookUrl);
    await limits.enforce(stack);

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
    let lastReport = Date.now();
    for (;;) {
      created = await finaleReturns();
      parkedMax = Math.max(parkedMax, await parked(stack));
      if (created.length >= N) break;
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        say(
          `  [${workers} worker(s)] ${((Date.now() - started) / 1000).toFixed(0)} s: ${created.length} in Finale, ` +
            `${parkedMax} parked at most`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const createdMs = created.map((r) => parseFinaleDate(r.createdDate)!);
    // Finale stamps whole seconds: the drain ends within the second of the last create.
    const drainSeconds = (Math.max(...createdMs) + 1_000 - started) / 1000;
    const spent = finaleCallsByBudget(await stack.finale.get<CallSnapshot>('/calls'));
    const drainBudgets = Object.fromEntries(
      budgetNames.map((name) => [
        name,
        { perReturn: spent[name] / N, perMinute: (spent[name] / drainSeconds) * 60 },
      ]),
    ) as BurstFigures['drainBudgets'];
    const latencies = created
      .map((r) => (parseFinaleDate(r.createdDate)! + 500 - submittedAt.get(r.returnId)!) / 1000)
      .sort((a, b) => a - b);

    say(
      `  [${workers} worker(s)] all in Finale after ${drainSeconds.toFixed(0)} s` +
        (options.completion ? '; the warehouse completes them …' : ''),
    );
    let completionSeconds: number | undefined;
    if (options.completion) {
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
      completionSeconds = (Date.now() - completing) / 1000;
    }

    const [finaleCalls, loopCalls, finaleLimited, loopLimited] = await Promise.all([
      stack.finale.get<CallSnapshot>('/calls'),
      stack.loop.get<CallSnapshot>('/calls'),
      stack.finale.get<{ total: number }>('/calls/rate-limited'),
      stack.loop.get<{ total: number }>('/calls/rate-limited'),
    ]);
    const loadAtEnd = os.loadavg()[0]!;
    await stack.close();

    return {
      workers,
      submitSeconds,
      drainSeconds,
      ratePerMinute: (N / drainSeconds) * 60,
      drainBudgets,
      rateLimited: { finale: finaleLimited.total, loop: loopLimited.total },
      parkedMax,
      latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      completionSeconds,
      finalePerReturn: finaleCalls.total / N,
      loopPerReturn: loopCalls.total / N,
      finaleByEndpoint: finaleCalls.byEndpoint,
      loopByEndpoint: loopCalls.byEndpoint,
      load: { start: loadAtStart, end: loadAtEnd },
    };
  } finally {
    await processes.stopAll();
    removeHandlers();
  }
}

const perReturn = (r: BurstFigures, calls: number) =>
  calls.toFixed(2) + (r.completionSeconds === undefined ? ' (drain only)' : '');
const runs = options.workers.split(',').map((w) => positiveInt(w.trim()));
say(
  `Burst: ${N} returns at once; ${limits.describe()}; enforced by the simulators and budgeted by the service.`,
);
say(`Run folder: ${runRoot}`);
const results: BurstFigures[] = [];
for (const workers of runs) results.push(await burst(workers));

const minutes = (returnsPerMinute: number) => N / returnsPerMinute;
const use = (r: BurstFigures, name: BudgetName) =>
  `${r.drainBudgets[name].perReturn.toFixed(2)}/return, ${((100 * r.drainBudgets[name].perMinute) / limits.perMinute(name)).toFixed(0)}% of limit`;
const rows: [string, (r: BurstFigures) => string][] = [
  ['worker processes', (r) => String(r.workers)],
  ['submitted in', (r) => `${r.submitSeconds.toFixed(1)} s`],
  ['drained to Finale in', (r) => `${r.drainSeconds.toFixed(0)} s`],
  ['drain rate', (r) => `${r.ratePerMinute.toFixed(1)} returns/min`],
  [
    'floor: 1 GET + 1 POST a return',
    () => `${issueFloor.perMinute.toFixed(1)} returns/min (${issueFloor.boundBy})`,
  ],
  ['rate / that floor (target ≥ 0.9)', (r) => (r.ratePerMinute / issueFloor.perMinute).toFixed(2)],
  [
    'floor the budgets allow',
    () => `${budgetedFloor.perMinute.toFixed(1)} returns/min (${budgetedFloor.boundBy})`,
  ],
  ['rate / that floor', (r) => (r.ratePerMinute / budgetedFloor.perMinute).toFixed(2)],
  ['429s received (target 0)', (r) => `${r.rateLimited.finale + r.rateLimited.loop}`],
  ['returns parked (target 0)', (r) => String(r.parkedMax)],
  ['webhook → Finale p50 / p99', (r) => `${r.latency.p50.toFixed(0)} s / ${r.latency.p99.toFixed(0)} s`],
  ['drain: Finale GETs', (r) => use(r, 'finale-get')],
  ['drain: collection reads', (r) => use(r, 'finale-collection')],
  ['drain: Finale POSTs', (r) => use(r, 'finale-post')],
  [
    'completed → all closed in Loop',
    (r) => (r.completionSeconds === undefined ? 'not run' : `${r.completionSeconds.toFixed(0)} s`),
  ],
  ['Finale calls per return', (r) => perReturn(r, r.finalePerReturn)],
  ['Loop calls per return', (r) => perReturn(r, r.loopPerReturn)],
  ['load average (1 min), start/end', (r) => `${r.load.start.toFixed(1)} / ${r.load.end.toFixed(1)}`],
];
const width = Math.max(...rows.map(([label]) => label.length));
const colWidth = Math.max(...results.flatMap((r) => rows.map(([, cell]) => cell(r).length)));
say('');
for (const [label, cell] of rows) {
  say(`${label.padEnd(width)}  ${results.map((r) => cell(r).padEnd(colWidth)).join('  ')}`);
}
say('');
say(
  `The floors: a return needs 1 Finale GET (its order) and 1 POST (its create): ` +
    `${issueFloor.perMinute.toFixed(1)}/min at the limits, bound by ${issueFloor.boundBy}. The budgets refill at ` +
    `${sustained('finale-get').toFixed(1)} GETs and ${sustained('finale-post').toFixed(1)} POSTs a minute (each ` +
    `limit less its bucket's burst and one call of headroom, so no sliding window can pass the limit), and the ` +
    `shared look-up reads take up to ${sustained('finale-collection').toFixed(1)} of those GETs: ` +
    `${budgetedFloor.perMinute.toFixed(1)}/min, bound by ${budgetedFloor.boundBy}.`,
);
say(
  `At the published limits (a clock ${options.scale}× slower) ${N} returns need at least ` +
    `${minutes(issueFloor.perMinute / options.scale).toFixed(1)} min.`,
);
for (const r of results) {
  say(`calls by endpoint, ${r.workers} worker(s): Finale ${JSON.stringify(r.finaleByEndpoint)}`);
  say(`  Loop ${JSON.stringify(r.loopByEndpoint)}`);
}
process.exit(0);
