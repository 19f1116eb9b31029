// The operators' pictures under deploy/: the Prometheus alert rules pass `promtool check rules` and their
// unit tests (`promtool test rules`: each alert fires on its cause and stays quiet otherwise), and the
// Grafana dashboard is a well-formed dashboard on a Prometheus data source. Which metrics they read is
// checked against the running service in dashboard-metrics.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const rulesFile = fileURLToPath(new URL('../../deploy/prometheus/alert-rules.yml', import.meta.url));
const rulesTestFile = fileURLToPath(new URL('../../deploy/prometheus/alert-rules.test.yml', import.meta.url));
const dashboardFile = fileURLToPath(new URL('../../deploy/grafana/loop-finale-bridge.json', import.meta.url));

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const promtoolAvailable = promtool.status === 0;
if (!promtoolAvailable) {
  console.log(
    `[test/deploy] skipping the promtool checks of the alert rules: promtool is not installed ` +
      `(${promtool.error?.message ?? promtool.stderr.trim()}); Debian's "prometheus" package has it (.ci/run installs it).`,
  );
}

const run = (...args: string[]) => spawnSync('promtool', args, { encoding: 'utf8' });

describe('Prometheus alert rules', () => {
  it.skipIf(!promtoolAvailable)('pass promtool check rules', () => {
    const result = run('check', 'rules', rulesFile);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: 5 rules found/);
    expect(result.status).toBe(0);
  });

  it.skipIf(!promtoolAvailable)('fire on their causes and stay quiet otherwise (promtool test rules)', () => {
    const result = run('test', 'rules', rulesTestFile);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it.skipIf(!promtoolAvailable)('have unit tests that fail when a rule is wrong', () => {
    // The same tests against a rule that also counts background calls giving up: they must catch it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alert-rules-'));
    try {
      writeFileSync(
        path.join(dir, 'alert-rules.yml'),
        readFileSync(rulesFile, 'utf8').replace('{priority!="background"}', ''),
      );
      writeFileSync(path.join(dir, 'alert-rules.test.yml'), readFileSync(rulesTestFile, 'utf8'));
      const result = run('test', 'rules', path.join(dir, 'alert-rules.test.yml'));
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/LoopFinaleApiBudgetExhausted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
    uid: string;
    title: string;
    templating: { list: { name: string; type: string; query: string }[] };
    panels: {
      id: number;
      type: string;
      title: string;
      datasource?: { type: string; uid: string };
      gridPos: { h: number; w: number; x: number; y: number };
      targets?: { expr: string; refId: string; datasource: { uid: string } }[];
    }[];
  };
  const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');

  it('queries a Prometheus data source chosen when it is imported', () => {
    expect(dashboard.uid).toBe('loop-finale-bridge');
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe('${datasource}');
    }
  });

  it('shows every picture operators asked for', () => {
    const exprs = graphs.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    const shown = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    expect(shown(/by \(stage\) \(loop_finale_returns_open\)/)).toBe(true);
    expect(shown(/by \(issue_class\) \(loop_finale_returns_needs_attention\)/)).toBe(true);
    expect(shown(/by \(api\) \(increase\(loop_finale_api_rate_limited_total/)).toBe(true);
    for (const budgetMetric of [
      'loop_finale_api_budget_taken_total',
      'loop_finale_api_budget_wait_seconds_bucket',
      'loop_finale_api_budget_waiting',
      'loop_finale_api_budget_exhausted_total',
      'loop_finale_api_budget_limit_per_second',
    ]) {
      expect(shown(new RegExp(budgetMetric)), budgetMetric).toBe(true);
    }
    expect(shown(/by \(outcome\) \(rate\(loop_finale_gateway_webhooks_received_total/)).toBe(true);
    expect(shown(/by \(status\) \(rate\(loop_finale_gateway_webhooks_received_total/)).toBe(true);
    expect(shown(/loop_finale_return_drain_seconds_bucket/)).toBe(true);
    expect(shown(/temporal_workflow_task_execution_latency_bucket/)).toBe(true);
    expect(shown(/temporal_activity_execution_latency_bucket/)).toBe(true);
  });

  it('lays its panels out without overlaps, each with a unique ID', () => {
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});
