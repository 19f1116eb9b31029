// The soak's printed result: what was injected, the ledger by fate, Temporal's workflows by status, the time
// to drain, and the returns that are not as they should be.
import type { ChaosRecord } from './chaos.ts';
import type { Ledger } from './ledger.ts';
import type { Fate } from './world.ts';

export interface SoakFigures {
  returns: number;
  workers: number;
  /** The API limits in force, in words. */
  limits: string;
  windowMs: number;
  drainMs: number | undefined;
  drainTimeoutMs: number;
  totalMs: number;
  loadAverage: { start: number; end: number };
  chaos: ChaosRecord[];
  webhooks: { deliveries: number; lost: number; duplicated: number; gaveUp: number };
  rateLimited: { finale: number; loop: number };
  calls: { finale: number; loop: number };
  harnessErrors: string[];
}

const table = (rows: (string | number)[][]): string => {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  const line = (row: (string | number)[]) =>
    `| ${row.map((cell, col) => String(cell).padEnd(widths[col]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const fates: Fate[] = ['complete', 'flag-reason', 'loop-cancel', 'finale-cancel'];

export function formatReport(figures: SoakFigures, ledger: Ledger): string {
  const count = (kind: string) => figures.chaos.filter((c) => c.event.kind === kind);
  const restarts = count('restart-temporal');
  const out: string[] = [];
  out.push(
    `Soak: ${figures.returns} returns, ${figures.workers} worker processes; ${figures.limits} ` +
      `(simulators and budgets); load average ${figures.loadAverage.start.toFixed(1)} at the start, ` +
      `${figures.loadAverage.end.toFixed(1)} at the end`,
  );
  out.push(
    `Chaos over ${seconds(figures.windowMs)}: ${count('kill-worker').length} worker SIGKILLs, ` +
      `${restarts.length} Temporal restart(s)${restarts.length ? ` (down ${restarts.map((r) => seconds(r.tookMs)).join(', ')})` : ''}, ` +
      `${count('restart-gateway').length} gateway restarts, ${count('rate-limit-burst').length} 429 bursts; ` +
      'Finale create and Loop process: 20% 5xx, 10% +1.5 s, 4% dropped, 4% applied then dropped',
  );
  out.push(
    `Webhooks: ${figures.webhooks.deliveries} deliveries, ${figures.webhooks.lost} lost by Loop, ` +
      `${figures.webhooks.duplicated} sent twice, ${figures.webhooks.gaveUp} given up after Loop's retries; ` +
      `429s answered: Finale ${figures.rateLimited.finale}, Loop ${figures.rateLimited.loop}; ` +
      `API calls per return: Finale ${(figures.calls.finale / figures.returns).toFixed(2)}, ` +
      `Loop ${(figures.calls.loop / figures.returns).toFixed(2)}`,
  );
  out.push('');
  const rows: (string | number)[][] = [['fate', 'returns', 'as expected', 'not as expected']];
  for (const fate of fates) {
    const of = ledger.rows.filter((row) => row.submitted.fate === fate);
    const bad = of.filter((row) => row.problems.length > 0).length;
    rows.push([fate, of.length, of.length - bad, bad]);
  }
  const bad = ledger.rows.filter((row) => row.problems.length > 0).length;
  rows.push(['all', ledger.rows.length, ledger.rows.length - bad, bad]);
  out.push(table(rows));
  out.push('');
  const cancelledBeforeCreate = ledger.rows.filter(
    (row) => row.submitted.fate === 'loop-cancel' && row.finaleStatuses.length === 0,
  ).length;
  out.push(
    `Expected: one Finale return per Loop return (a return cancelled in Loop before its create has none: ` +
      `${cancelledBeforeCreate}), exactly one Loop action that changed it (process, or flag), none for those ` +
      'cancelled in Loop; every workflow completed with the matching outcome.',
  );
  const byStatus = Object.entries(ledger.workflowsByStatus)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  out.push(`Temporal workflows by status: ${byStatus} (Running includes the tenant's sweeper)`);
  out.push(
    `Return workflows still running: ${ledger.runningReturnWorkflows}; stray Finale returns: ` +
      `${ledger.strayFinaleReturns.length}${ledger.strayFinaleReturns.length ? ` (${ledger.strayFinaleReturns.slice(0, 5).join(', ')})` : ''}`,
  );
  out.push(
    figures.drainMs === undefined
      ? `Time to drain: not drained within ${seconds(figures.drainTimeoutMs)} after the chaos window`
      : `Time to drain: ${seconds(figures.drainMs)} after the chaos window (run ${seconds(figures.totalMs)} in all)`,
  );
  if (figures.harnessErrors.length > 0) {
    out.push(
      `Harness errors (${figures.harnessErrors.length}): ${figures.harnessErrors.slice(0, 5).join('; ')}`,
    );
  }
  const wrong = ledger.rows.filter((row) => row.problems.length > 0);
  for (const row of wrong.slice(0, 20)) {
    out.push(
      `  ✗ Loop return ${row.submitted.loopReturnId} (${row.submitted.fate}): ${row.problems.join('; ')} ` +
        `[workflow ${row.workflow}${row.outcome ? ` ${row.outcome}` : ''}]`,
    );
  }
  if (wrong.length > 20) out.push(`  … and ${wrong.length - 20} more`);
  const passed = ledger.problems === 0 && figures.harnessErrors.length === 0 && figures.drainMs !== undefined;
  out.push(passed ? 'LEDGER OK' : `LEDGER MISMATCH: ${ledger.problems} problem(s)`);
  return out.join('\n');
}
