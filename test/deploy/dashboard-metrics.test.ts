// Every metric the Grafana dashboard and the Prometheus alert rules read must be one the service exports.
// The real service runs here: the gateway and the worker as their own processes (gateway/main.ts,
// worker/main.ts) on one shared tenant store, against the simulators; one return goes from Loop's webhook
// to processed, and the gateway's /metrics and the worker's application and SDK endpoints are scraped.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { loopWebhookUrl } from '../../gateway/public-urls.ts';
import { demoFinaleAccount, demoTenantSettings, seedDemoWorld } from '../../sandbox/demo-world.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../sandbox/finale/server.ts';
import { startLoopSimulator, type LoopSimulator } from '../../sandbox/loop/server.ts';
import { projectRoot } from '../../temporal/binaries.ts';
import { startTenantSweeper } from '../../temporal/workflow-starts.ts';
import { freePort } from '../support/free-port.ts';
import { spawnCommand, type SpawnedCommand } from '../support/processes.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';
import { pgliteServerTarget, type SharedStoreTarget } from '../store/store-targets.ts';

const dashboardFile = new URL('../../deploy/grafana/loop-finale-bridge.json', import.meta.url);
const rulesFile = new URL('../../deploy/prometheus/alert-rules.yml', import.meta.url);

/** Metric names in PromQL: ours, the Temporal SDK's and the process's (functions and labels never match). */
const metricNamesIn = (promql: string) =>
  promql.match(/\b(?:loop_finale|temporal|process)_[a-z0-9_]+\b/g) ?? [];

async function queriedMetricNames(): Promise<{ dashboard: Set<string>; rules: Set<string> }> {
  const dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
  };
  const rules = parse(await readFile(rulesFile, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  const ruleExprs = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
  return {
    dashboard: new Set(
      dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => metricNamesIn(t.expr)),
    ),
    rules: new Set(ruleExprs.flatMap(metricNamesIn)),
  };
}

/** Names of every sample in a Prometheus text exposition (a histogram's `_bucket`, `_sum`, `_count`). */
const sampleNames = (exposition: string) =>
  exposition
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/[{ ]/)[0]!);

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the dashboard and the alert rules', () => {
  let store: SharedStoreTarget;
  let finale: FinaleSimulator;
  let loop: LoopSimulator;
  let connection: Connection;
  const processes: SpawnedCommand[] = [];

  beforeAll(async () => {
    store = await pgliteServerTarget();
    finale = await startFinaleSimulator();
    loop = await startLoopSimulator();
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => new Promise((resolve) => p.child.once('exit', resolve))));
    await connection?.close();
    await Promise.all([finale?.close(), loop?.close()]);
    await store?.dispose();
  });

  it('read only metrics the running service exports', async () => {
    const queried = await queriedMetricNames();
    expect(queried.dashboard.size).toBeGreaterThan(15);
    expect(queried.rules.size).toBeGreaterThanOrEqual(5);

    const tenantId = `metrics-${randomBytes(3).toString('hex')}`;
    const secretKey = randomBytes(32);
    const seedStore = await store.open(secretKey);
    try {
      await seedDemoWorld({
        finale: finale.state,
        loop: loop.state,
        store: seedStore,
        settings: { tenantId, sweeperIntervalMs: '1s' },
      });
    } finally {
      await seedStore.close();
    }
    finale.state.seedOrder(demoFinaleAccount.name, {
      orderId: '1001',
      items: [{ productId: 'TEE-BLK-M', quantity: 1 }],
    });
    loop.state.seedDestination({ name: demoTenantSettings.destinationFacilityName });

    const ports = { gateway: await freePort(), sdk: await freePort(), app: await freePort() };
    const taskQueue = uniqueTaskQueue('dashboard-metrics');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: store.databaseUrl,
      SECRETS_KEY: secretKey.toString('base64'),
      FINALE_BASE_URL: finale.url,
      LOOP_BASE_URL: loop.apiBaseUrl,
      PUBLIC_BASE_URL: `http://127.0.0.1:${ports.gateway}`,
      GATEWAY_PORT: String(ports.gateway),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.sdk}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.app}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      WORKFLOW_BUNDLE_PATH: '',
      GATEWAY_METRICS_ADDRESS: '',
      METRICS_TOKEN: '',
    };
    const gateway = spawnCommand(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], env, projectRoot);
    const worker = spawnCommand(process.execPath, ['--import', 'tsx', 'worker/main.ts'], env, projectRoot);
    processes.push(gateway, worker);
    await Promise.all([
      gateway.waitForOutput(/"msg":"gateway listening"/, 90_000).catch(() => undefined),
      worker.waitForOutput(/"msg":"worker running"/, 90_000).catch(() => undefined),
    ]);
    await until('the gateway and the worker to answer', async () => {
      const answers = await Promise.all(
        [`http://127.0.0.1:${ports.gateway}/readyz`, `http://127.0.0.1:${ports.app}/metrics`].map((url) =>
          fetch(url).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      return answers.every(Boolean) ? true : undefined;
    });

    // One return, from Loop's webhook to processed in Loop, with the tenant's sweeper reporting completion.
    loop.state.seedWebhook({
      topic: 'return',
      trigger: 'return.created',
      url: loopWebhookUrl(`http://127.0.0.1:${ports.gateway}`, tenantId),
      status: 'active',
    });
    await startTenantSweeper(new Client({ connection }), taskQueue, tenantId);
    const submitted = loop.state.submitReturn({
      orderName: '#1001',
      items: [{ sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', returnReason: 'Too small' }],
    });
    const returnId = Number(submitted.return.id);
    const created = await until('the Finale return', async () =>
      finale.state.listReturns(demoFinaleAccount.name).find((r) => r.returnId === `LOOP-${returnId}`),
    );
    finale.state.completeReturn(created.returnUrl);
    await until('the return to be processed in Loop', async () =>
      loop.state.getReturn(returnId).state === 'open' ? undefined : true,
    );

    const exported = new Set(
      (
        await Promise.all(
          [
            `http://127.0.0.1:${ports.gateway}/metrics`,
            `http://127.0.0.1:${ports.app}/metrics`,
            `http://127.0.0.1:${ports.sdk}/metrics`,
          ].map(scrape),
        )
      ).flatMap(sampleNames),
    );
    const missing = (names: Set<string>) => [...names].filter((name) => !exported.has(name)).sort();
    expect({ dashboard: missing(queried.dashboard), rules: missing(queried.rules) }).toEqual({
      dashboard: [],
      rules: [],
    });
    // The service's output says nothing went wrong on the way.
    for (const p of [gateway, worker]) {
      expect(
        p
          .output()
          .split('\n')
          .filter((line) => /"level":(5|6)\d/.test(line)),
      ).toEqual([]);
    }
  }, 240_000);
});
