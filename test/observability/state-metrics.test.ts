// The state metrics count running returns by stage, parked returns by class, sweepers and tenants: against a
// Temporal dev server of this file's own (the counts cover a whole namespace), with workflows started on a
// task queue no worker polls, so each stays exactly where its search attributes put it.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenant } from '../../sandbox/demo-world.ts';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { startDevServer, type DevServer } from '../../temporal/dev-server.ts';
import { metricsRegistry } from '../../observability/metrics.ts';
import { exportServiceState } from '../../observability/state-metrics.ts';
import { searchAttributes } from '../../workflows/search-attributes.ts';
import { freePort } from '../support/free-port.ts';

/** Every sample of the state metrics in this process's exposition, as `name{labels}` → value. */
async function stateSamples(): Promise<Record<string, number>> {
  const text = await metricsRegistry.metrics();
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) =>
        /^loop_finale_(returns_open|returns_needs_attention|tenant_sweepers|tenants)\b/.test(line),
      )
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

describe('state metrics', () => {
  let dev: DevServer;
  let connection: Connection;
  let client: Client;
  let store: TenantStore;

  beforeAll(async () => {
    dev = await startDevServer({ port: await freePort() });
    connection = await Connection.connect({ address: dev.address });
    client = new TemporalClient({ connection });
    store = await openStore({ secretKey: randomBytes(32) });
  });
  afterAll(async () => {
    await store?.close();
    await connection?.close();
    await dev?.stop();
  });

  it('counts running returns by stage, parked ones by issue class, sweepers and tenants', async () => {
    await store.upsertTenant(demoTenant({ tenantId: 'state-a' }));
    await store.upsertTenant(demoTenant({ tenantId: 'state-b' }));
    await store.pauseTenant('state-b');
    const start = (id: string, stage: string, issueClass?: string) =>
      client.workflow.start('returnWorkflow', {
        taskQueue: 'nobody-polls-this',
        workflowId: `state-metrics/${id}`,
        args: [],
        typedSearchAttributes: [
          { key: searchAttributes.stage, value: stage },
          ...(issueClass ? [{ key: searchAttributes.issueClass, value: issueClass }] : []),
        ],
      });
    await Promise.all([
      start('r1', 'received'),
      start('r2', 'received'),
      start('w1', 'awaiting-finale-completion'),
      start('p1', 'needs-attention', 'config'),
      start('p2', 'needs-attention', 'config'),
      start('p3', 'needs-attention', 'data'),
      // Parked before returns recorded their class.
      start('p4', 'needs-attention'),
      // A class stays after the return moves on: only parked returns count by class.
      start('m1', 'awaiting-finale-completion', 'waiting'),
      client.workflow.start('tenantSweeperWorkflow', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'state-metrics/sweeper',
        args: [],
      }),
    ]);
    const finished = await client.workflow.start('returnWorkflow', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'state-metrics/finished',
      args: [],
      typedSearchAttributes: [{ key: searchAttributes.stage, value: 'received' }],
    });
    await finished.terminate('not running: never counted');

    const stop = exportServiceState({ client, store, refreshMs: 0 });
    try {
      const expected = {
        'loop_finale_returns_open{stage="received"}': 2,
        'loop_finale_returns_open{stage="resolving"}': 0,
        'loop_finale_returns_open{stage="creating-finale-return"}': 0,
        'loop_finale_returns_open{stage="awaiting-finale-completion"}': 2,
        'loop_finale_returns_open{stage="updating-loop"}': 0,
        'loop_finale_returns_open{stage="needs-attention"}': 4,
        'loop_finale_returns_open{stage="paused"}': 0,
        'loop_finale_returns_needs_attention{issue_class="waiting"}': 0,
        'loop_finale_returns_needs_attention{issue_class="config"}': 2,
        'loop_finale_returns_needs_attention{issue_class="data"}': 1,
        'loop_finale_returns_needs_attention{issue_class="unclassified"}': 1,
        'loop_finale_tenant_sweepers{status="running"}': 1,
        'loop_finale_tenants{status="active"}': 1,
        'loop_finale_tenants{status="paused"}': 1,
      };
      // Visibility is eventually consistent: the dev server catches up within moments.
      let samples: Record<string, number> = {};
      for (let i = 0; i < 50; i++) {
        samples = await stateSamples();
        if (JSON.stringify(samples) === JSON.stringify(expected)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(samples).toEqual(expected);
    } finally {
      stop();
    }
    // Nothing exported once stopped.
    expect(await stateSamples()).toEqual({});
  });

  it('counts at most once per refresh interval, however often it is scraped', async () => {
    let counts = 0;
    const counting = {
      workflow: {
        count: () => {
          counts += 1;
          return Promise.resolve({ count: 3, groups: [] });
        },
      },
    } as unknown as Client;
    const stop = exportServiceState({ client: counting, store, refreshMs: 60_000 });
    try {
      await Promise.all([stateSamples(), stateSamples()]);
      await stateSamples();
      // One count per stage, per issue class, and the sweepers: one refresh.
      expect(counts).toBe(7 + 3 + 1);
      expect((await stateSamples())['loop_finale_returns_open{stage="received"}']).toBe(3);
    } finally {
      stop();
    }
  });

  it('exports nothing rather than stale or made-up figures when Temporal cannot be asked', async () => {
    const warnings: string[] = [];
    const broken = {
      workflow: { count: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')) },
    } as unknown as Client;
    const stop = exportServiceState({
      client: broken,
      store,
      refreshMs: 0,
      logger: { warn: (_: unknown, message: string) => warnings.push(message) } as never,
    });
    try {
      expect(await stateSamples()).toEqual({});
      expect(warnings[0]).toMatch(/could not count returns and tenants/);
    } finally {
      stop();
    }
  });
});
