// Returns parked on a setting resume by themselves once the setting is fixed: the merchant corrects it through
// the onboarding flow (a change link, as every change to a connected store goes) and every return parked on
// a config issue is retried with one Temporal batch signal. An operator can do the same for one issue code
// with the CLI. The real gateway on a local port, a worker on the dev server, both simulators.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.ts';
import { demoFinaleAccount, demoLoopShop, demoTenantSettings } from '../../sandbox/demo-world.ts';
import { parkedReturnsQuery } from '../../temporal/retry-parked.ts';
import { sweeperWorkflowId } from '../../workflows/ids.ts';
import type { ReturnState } from '../../workflows/messages.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startPipelineGateway } from '../support/pipeline-gateway.ts';
import { connectToDevServer } from '../support/temporal.ts';

const ADMIN_TOKEN = 'parked-returns-admin-token-0123456789';
const PARKED = 30;

describe('parked returns resume when the setting they wait for is fixed', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let gateway: Awaited<ReturnType<typeof startPipelineGateway>>;
  let nextOrder = 6001;

  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(
      args,
      { out: (text) => (out += text), err: (text) => (err += text) },
      { PATH: process.env.PATH, GATEWAY_URL: gateway.url, ADMIN_TOKEN },
    );
    return { code, out, err };
  };

  /** `return retry --all --tenant <this tenant> --code <code>`. */
  const retryAll = (code: string, ...more: string[]) =>
    cli(['return', 'retry', '--all', '--tenant', pipeline.tenantId, '--code', code, ...more]);

  /** Submits and starts returns of one product each; answers their Loop return IDs. */
  async function startReturns(count: number, sku: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const orderName = `#${nextOrder++}`;
      pipeline.seedOrder(orderName, ['CAP-RED']);
      const loopReturn = pipeline.submitReturn(orderName, [{ sku, returnReason: 'Too small' }]);
      await pipeline.start(loopReturn);
      ids.push(loopReturn.id);
    }
    return ids;
  }

  const parkedOn = (ids: string[], code: string) =>
    Promise.all(
      ids.map((id) =>
        pipeline.waitForState(id, (s) => s.stage === 'needs-attention' && s.lastError?.code === code, 60_000),
      ),
    );

  /** Until Temporal's visibility (which the batch selects by) lists them all, as it does within moments. */
  async function visibleAsParked(count: number, code: string) {
    const query = parkedReturnsQuery(pipeline.tenantId, [code]);
    for (let i = 0; i < 300; i++) {
      if ((await dev.client.workflow.count(query)).count === count) return;
      await delay(100);
    }
    throw new Error(`visibility never listed ${count} returns parked on ${code}`);
  }

  const retriedBy = (state: ReturnState, who: string) =>
    state.timeline.some((entry) => entry.event === `retry requested by ${who}`);

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      // A facility name Finale does not have; no automatic re-check comes within the test.
      settings: {
        destinationFacilityName: 'Main Warehose',
        needsAttentionRecheckMs: '6h',
        sweeperIntervalMs: '1s',
      },
    });
    gateway = await startPipelineGateway(pipeline, ADMIN_TOKEN);
  });

  afterAll(async () => {
    // Saving the settings (re)started the tenant's sweeper.
    await dev?.client.workflow
      .getHandle(sweeperWorkflowId(pipeline.tenantId))
      .terminate('test over')
      .catch(() => undefined);
    await gateway?.server.close();
    await pipeline?.close();
    await dev?.close();
  });

  it('return retry --all --tenant <id> --code <code> nudges exactly the returns parked on that code', async () => {
    const withoutSku = await startReturns(3, '');
    const wrongFacility = await startReturns(2, 'CAP-RED');
    await Promise.all([parkedOn(withoutSku, 'MissingSku'), parkedOn(wrongFacility, 'FacilityNotFound')]);
    await Promise.all([visibleAsParked(3, 'MissingSku'), visibleAsParked(2, 'FacilityNotFound')]);

    const run = await retryAll('MissingSku', '--by', 'ops');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toBe(
      `Nudged 3 of 3 returns of tenant ${pipeline.tenantId} parked on MissingSku; they resume now.\n`,
    );
    // Each of those retried (and parked again: their lines still have no SKU); the others were left alone.
    for (const id of withoutSku) {
      await pipeline.waitForState(id, (s) => retriedBy(s, 'ops') && s.stage === 'needs-attention');
    }
    for (const id of wrongFacility) expect(retriedBy(await pipeline.state(id), 'ops')).toBe(false);

    const none = await retryAll('SkuUnknown');
    expect(none.out).toBe(
      `No return of tenant ${pipeline.tenantId} is parked on SkuUnknown: nothing to retry.\n`,
    );
    for (const id of [...withoutSku, ...wrongFacility]) {
      await pipeline.handle(id).terminate('test over');
    }
  });

  it(`${PARKED} returns parked on a wrong facility name all complete once the merchant fixes it through onboarding`, async () => {
    const ids = await startReturns(PARKED, 'CAP-RED');
    const parked = await parkedOn(ids, 'FacilityNotFound');
    expect(parked[0]?.lastError).toMatchObject({ class: 'config' });
    expect(parked[0]?.lastError?.fix).toContain('"Main Warehouse"');
    await visibleAsParked(PARKED, 'FacilityNotFound');

    // A connected store changes through an operator's change link; the merchant does the rest.
    const invite = await fetch(`${gateway.url}/admin/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: pipeline.tenantId, note: 'fix the facility' }),
    });
    expect(invite.status).toBe(201);
    const { url } = (await invite.json()) as { url: string };
    expect((await fetch(url)).status).toBe(200);
    const saved = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        displayName: demoTenantSettings.displayName,
        finaleAccountName: demoFinaleAccount.name,
        // Blank Finale secrets keep the saved ones; the Loop key and webhook secret are typed again.
        finaleApiKey: '',
        finaleApiSecret: '',
        destinationFacilityName: 'Main Warehouse',
        loopApiKey: demoLoopShop.apiKey,
        loopWebhookSecret: demoLoopShop.webhookSecret,
        'reason-label-0': 'Too small',
        'reason-id-0': '##user_00001',
        flagReasons: '',
        completionAction: 'process',
        intent: 'save',
      }).toString(),
    });
    expect(saved.status, await saved.clone().text()).toBe(303);

    // No operator retries anything: the save nudged every return parked on a config issue.
    const waiting = await Promise.all(
      ids.map((id) => pipeline.waitForState(id, (s) => s.stage === 'awaiting-finale-completion', 60_000)),
    );
    for (const state of waiting) {
      expect(retriedBy(state, 'the merchant (settings saved)')).toBe(true);
      expect(state.finaleReturn?.facilityName).toBe('Main Warehouse');
    }
    for (const state of waiting) pipeline.finale.state.completeReturn(state.finaleReturn!.returnUrl);
    const results = await Promise.all(ids.map((id) => pipeline.handle(id).result()));
    expect(results.map((result) => result.outcome)).toEqual(ids.map(() => 'processed'));
  });
});
