// `npm run soak`: a chaos soak on real processes. The gateway, the worker processes, the Temporal dev server
// (on its own data file), both simulators and the store each run in a process of their own. While returns
// arrive, it injects faults, kills workers, restarts Temporal and the gateway, and loses, repeats and
// reorders webhooks; then it waits for everything to drain and checks a ledger drawn from the simulators and
// Temporal. Exit status 1 on any mismatch. `--ci` is the small size CI runs.
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { demoTenant } from '../sandbox/demo-world.ts';
import { planChaos, runChaos, startFaults, stopFaults } from './chaos.ts';
import { scaledLimits, scaleOption } from './limits.ts';
import { drawLedger, runningReturnWorkflows, unsettledInSimulators } from './ledger.ts';
import { Processes } from './processes.ts';
import { formatReport } from './report.ts';
import { runDirectory } from './run-dir.ts';
import { startStack } from './stack.ts';
import { Customers, Warehouse } from './warehouse.ts';
import { dealFates, seedWorld, type Fate } from './world.ts';

const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

/**
 * Every return's create reads Finale's collection once (the lookup-first create), and those reads are budgeted
 * at 300 a window: on a clock 30× faster that is about 145 creates a minute, enough for the full size's
 * arrivals to drain within minutes of the window.
 */
const SOAK_SCALE = 30;

const options = new Command()
  .name('soak')
  .description('Chaos soak on real processes; prints a ledger table and exits 1 on any mismatch')
  .option('--ci', 'the small size CI runs: 150 returns, 3 kills, 1 Temporal restart, 1 gateway restart')
  .option('-n, --returns <n>', 'returns submitted (full size 1000)', count)
  .option('--workers <n>', 'worker processes', count, 2)
  .option('--kills <n>', 'worker SIGKILLs at random moments', count)
  .option('--temporal-restarts <n>', 'restarts of the Temporal server on the same data', count)
  .option('--gateway-restarts <n>', 'gateway restarts', count)
  .option('--bursts <n>', '429 bursts on Finale create and Loop process', count)
  .option('--window <s>', 'chaos window in seconds (returns arrive in its first 60%)', count)
  .option('--drain-timeout <s>', 'longest wait for the drain after the window', count)
  .addOption(scaleOption(SOAK_SCALE))
  .option('--run-dir <dir>', 'logs, Temporal data and bundle (default .soak/soak-<time>, the last 5 kept)')
  .parse()
  .opts<{
    ci?: boolean;
    returns?: number;
    workers: number;
    kills?: number;
    temporalRestarts?: number;
    gatewayRestarts?: number;
    bursts?: number;
    window?: number;
    drainTimeout?: number;
    scale: number;
    runDir?: string;
  }>();

const preset = options.ci
  ? {
      returns: 150,
      kills: 3,
      temporalRestarts: 1,
      gatewayRestarts: 1,
      bursts: 2,
      window: 60,
      drainTimeout: 210,
    }
  : {
      returns: 1000,
      kills: 10,
      temporalRestarts: 1,
      gatewayRestarts: 2,
      bursts: 3,
      window: 300,
      drainTimeout: 900,
    };
const size = {
  returns: options.returns ?? preset.returns,
  kills: options.kills ?? preset.kills,
  temporalRestarts: options.temporalRestarts ?? preset.temporalRestarts,
  gatewayRestarts: options.gatewayRestarts ?? preset.gatewayRestarts,
  bursts: options.bursts ?? preset.bursts,
  windowMs: 1000 * (options.window ?? preset.window),
  drainTimeoutMs: 1000 * (options.drainTimeout ?? preset.drainTimeout),
};
const scale = options.scale;
const shares: Partial<Record<Fate, number>> = {
  'loop-cancel': 0.05,
  'finale-cancel': 0.02,
  'flag-reason': 0.03,
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const runDir = runDirectory('soak', options.runDir);
const began = Date.now();
const loadAtStart = os.loadavg()[0]!;
say(`Soak run folder: ${runDir} (one log per process)`);

const processes = new Processes(runDir);
processes.killOnExit();

const limits = scaledLimits(scale);

let exitCode = 1;
try {
  const stack = await startStack(processes, {
    runDir,
    workers: options.workers,
    tenant: demoTenant({
      tenantId: 'soak',
      sweeperIntervalMs: '10s',
      needsAttentionRecheckMs: '20s',
    }),
    workerEnv: limits.workerEnv,
    // The gateway's per-tenant intake limit is not what a soak measures: Loop's deliveries, repeats and retries
    // for every return all count against one tenant.
    gatewayEnv: { WEBHOOK_TENANT_RATE_LIMIT_MAX: '1000000' },
    progress: say,
  });
  const sims = { finale: stack.finale, loop: stack.loop };
  await seedWorld(sims, stack.webhookUrl);
  await limits.enforce(sims);
  await stack.loop.patch('/settings', {
    delivery: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000, timeoutMs: 10_000 },
  });

  const fates = dealFates(size.returns, shares);
  const customers = new Customers(sims, 30_000);
  const fateOf = new Map<string, Fate>();
  const warehouse = new Warehouse(stack.finale, (returnId) => fateOf.get(returnId), 20_000);
  const chaos = planChaos(
    {
      windowMs: size.windowMs,
      workerKills: size.kills,
      temporalRestarts: size.temporalRestarts,
      gatewayRestarts: size.gatewayRestarts,
      rateLimitBursts: size.bursts,
    },
    options.workers,
  );

  say(
    `Chaos window of ${size.windowMs / 1000} s: ${size.returns} returns arriving in its first 60%, ` +
      `${chaos.length} events …`,
  );
  await startFaults(sims);
  const windowStart = Date.now();
  const arrivals = fates.map(() => Math.random() * 0.6 * size.windowMs).sort((a, b) => a - b);
  fates.forEach((fate, index) => customers.schedule(index, fate, arrivals[index]!));
  warehouse.start();
  // The warehouse needs each return's fate once it shows up in Finale.
  const fateWatcher = setInterval(() => {
    for (const r of customers.submitted) fateOf.set(`LOOP-${r.loopReturnId}`, r.fate);
  }, 200);
  const records = await runChaos(stack, chaos, windowStart, say);
  const left = windowStart + size.windowMs - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  await customers.settled();
  await stopFaults(sims);
  const windowEnd = Date.now();
  say(`Chaos window over after ${((windowEnd - windowStart) / 1000).toFixed(0)} s; draining …`);

  type Delivery = { deliveryId: string; outcome: string; duplicateOf?: string };
  const deliveries = async () => (await stack.loop.get<{ deliveries: Delivery[] }>('/deliveries')).deliveries;
  const pendingDeliveries = (all: Delivery[]) => {
    const last = new Map<string, string>();
    for (const d of all) last.set(d.deliveryId, d.outcome);
    return [...last.values()].filter((outcome) => outcome === 'will-retry').length;
  };
  let drainMs: number | undefined;
  let lastReport = 0;
  while (Date.now() - windowEnd < size.drainTimeoutMs) {
    const [unsettled, running, all] = await Promise.all([
      unsettledInSimulators(sims, customers.submitted, () => warehouse.returns()),
      runningReturnWorkflows(stack.client),
      deliveries(),
    ]);
    const pending = pendingDeliveries(all);
    if (unsettled.length === 0 && running === 0 && pending === 0) {
      drainMs = Date.now() - windowEnd;
      break;
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      say(
        `  ${((Date.now() - windowEnd) / 1000).toFixed(0)} s: ${unsettled.length} returns not final in the ` +
          `simulators, ${running} return workflows running, ${pending} webhook deliveries pending`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
  clearInterval(fateWatcher);
  warehouse.stop();
  customers.stop();
  const harnessErrors = [...customers.errors, ...warehouse.errors];

  say('Drawing the ledger …');
  const ledger = await drawLedger({
    sims,
    client: stack.client,
    tenantId: stack.tenantId,
    submitted: customers.submitted,
    finaleReturns: await warehouse.returns(),
  });
  const all = await deliveries();
  const [finaleLimited, loopLimited, finaleCalls, loopCalls] = await Promise.all([
    stack.finale.get<{ total: number }>('/calls/rate-limited'),
    stack.loop.get<{ total: number }>('/calls/rate-limited'),
    stack.finale.get<{ total: number }>('/calls'),
    stack.loop.get<{ total: number }>('/calls'),
  ]);
  const loadAtEnd = os.loadavg()[0]!;
  say('Stopping every process …');
  await stack.close();

  const report = formatReport(
    {
      returns: customers.submitted.length,
      workers: options.workers,
      limits: limits.describe(),
      windowMs: windowEnd - windowStart,
      drainMs,
      drainTimeoutMs: size.drainTimeoutMs,
      totalMs: Date.now() - began,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      chaos: records,
      webhooks: {
        deliveries: new Set(all.map((d) => d.deliveryId)).size,
        lost: all.filter((d) => d.outcome === 'lost').length,
        duplicated: new Set(all.filter((d) => d.duplicateOf).map((d) => d.deliveryId)).size,
        gaveUp: all.filter((d) => d.outcome === 'failed').length,
      },
      rateLimited: { finale: finaleLimited.total, loop: loopLimited.total },
      calls: { finale: finaleCalls.total, loop: loopCalls.total },
      harnessErrors,
    },
    ledger,
  );
  say('');
  say(report);
  exitCode = report.endsWith('LEDGER OK') ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `Soak failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
} finally {
  await processes.stopAll();
}
process.exit(exitCode);
