// A merchant onboards in a real browser (Debian's Chromium, driven by playwright-core) against the gateway
// on a real port, both simulators and a real worker, then sends a live return through to its final stage.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimShop } from '../../sandbox/loop/records.ts';
import { sweeperWorkflowId } from '../../workflows/ids.ts';
import { sweepNowSignal } from '../../workflows/tenant-sweeper.ts';
import { finaleAccount, loopKeys, seedFinaleAccount, seedLoopShops } from '../gateway/onboarding/world.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startPipelineGateway } from '../support/pipeline-gateway.ts';
import { connectToDevServer } from '../support/temporal.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `Skipping the onboarding browser test: ${CHROMIUM} is missing. Install Debian's "chromium" package ` +
      '(apt-get install chromium); .ci/run installs it.',
  );
}

const ADMIN_TOKEN = 'browser-test-admin-token-0123456789';
const TENANT_ID = 'acme-outdoor';
const NO_JS_TENANT_ID = 'plain-html-outfitters';
const MAPPING_TENANT_ID = 'two-warehouse-supply';
/** A merchant of their own for the mapping test: Loop delivers each shop's returns to every tenant on it. */
const mappingShop = { apiKey: 'two-warehouse-loop-key', webhookSecret: 'two-warehouse-secret' };
const mappingAccount = {
  name: 'two-warehouse',
  apiKey: 'two-warehouse-key',
  apiSecret: 'two-warehouse-secret',
};
const mappingDestinations = [
  { id: 8401, name: 'Reno DC' },
  { id: 8402, name: 'Overflow Lot' },
  { id: 8403, name: 'Flagship Store' },
];
/** Set SCREENSHOT_DIR to keep screenshots of each step for a look at the pages. */
const screenshotDir = process.env.SCREENSHOT_DIR;

describe.skipIf(!hasChromium)('onboarding in a real browser', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let gateway: Awaited<ReturnType<typeof startPipelineGateway>>;
  let shop: SimShop;
  let page: Page;
  const launched: { browser: BrowserContext; profileDir: string }[] = [];

  /** Chromium with a fresh profile, as the dependency notes say it runs here. */
  const launch = async (javaScriptEnabled: boolean) => {
    const profileDir = await mkdtemp(path.join(tmpdir(), 'onboarding-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    launched.push({ browser: context, profileDir });
    return { browser: context, page: context.pages()[0] ?? (await context.newPage()) };
  };

  const newInviteUrl = async () => {
    const invite = await fetch(`${gateway.url}/admin/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'browser test' }),
    });
    expect(invite.status).toBe(201);
    const { url } = (await invite.json()) as { url: string };
    expect(url.startsWith(`${gateway.url}/onboarding/`)).toBe(true);
    return url;
  };

  const screenshot = async (name: string) => {
    if (screenshotDir)
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({ client: dev.client, nativeConnection: dev.nativeConnection });
    // The merchant's own Finale account and Loop shop, beside the pipeline's demo ones.
    seedFinaleAccount(pipeline.finale);
    pipeline.finale.state.seedProduct(finaleAccount.name, { productId: 'TEE-BLK-M', internalId: '20020196' });
    pipeline.finale.state.seedOrder(finaleAccount.name, {
      orderId: '#2001',
      items: [{ productId: 'TEE-BLK-M', quantity: 1 }],
    });
    shop = seedLoopShops(pipeline.loop);

    gateway = await startPipelineGateway(pipeline, ADMIN_TOKEN);

    ({ page } = await launch(true));
  });

  afterAll(async () => {
    for (const { browser, profileDir } of launched) {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    }
    for (const tenantId of [TENANT_ID, NO_JS_TENANT_ID, MAPPING_TENANT_ID]) {
      await dev?.client.workflow
        .getHandle(sweeperWorkflowId(tenantId))
        .terminate('test over')
        .catch(() => undefined);
    }
    await gateway?.server.close();
    await pipeline?.close();
    await dev?.close();
  });

  it('onboards, catches a mis-cased facility, then shows a live return reaching its final stage', async () => {
    const url = await newInviteUrl();
    await page.goto(url);
    await expect(page.locator('h1').textContent()).resolves.toBe('Connect Finale Inventory to Loop');
    await page.getByLabel('Store name').fill('Acme Outdoor');
    // The script suggests the store ID from the name.
    await expect(page.getByLabel('Store ID').inputValue()).resolves.toBe(TENANT_ID);
    await page.getByLabel('Finale account name').fill(finaleAccount.name);
    await page.getByLabel('Finale API key').fill(finaleAccount.apiKey);
    await page.getByLabel('Finale API secret').fill(finaleAccount.apiSecret);
    await page.getByLabel('Destination facility', { exact: true }).fill('main warehouse');
    await page.getByLabel('Loop API key').fill(loopKeys.full);
    await page.getByLabel('Loop webhook secret').fill(loopKeys.webhookSecret);
    await page.getByLabel('Loop reason 1').fill('Too small');
    await page.getByLabel('Finale reason ID 1').fill('##user_00001');
    await screenshot('1-filled');
    await page.getByRole('button', { name: 'Save and connect' }).click();

    // Caught next to the field, with the exact Finale name; nothing saved yet.
    const facilityError = page.locator('#destinationFacilityName-error');
    await expect(facilityError.textContent()).resolves.toContain('Did you mean “Main Warehouse”?');
    await expect(page.getByRole('button', { name: 'Use “Main Warehouse”' }).isVisible()).resolves.toBe(true);
    await expect(pipeline.store.getTenant(TENANT_ID)).resolves.toBeUndefined();
    await screenshot('2-facility-caught');

    // Corrected by hand; the secrets are never sent back to the page, so they are typed again.
    await expect(page.getByLabel('Finale API key').inputValue()).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain(finaleAccount.apiSecret);
    await page.getByLabel('Destination facility', { exact: true }).fill('Main Warehouse');
    await page.getByLabel('Finale API key').fill(finaleAccount.apiKey);
    await page.getByLabel('Finale API secret').fill(finaleAccount.apiSecret);
    await page.getByLabel('Loop API key').fill(loopKeys.full);
    await page.getByLabel('Loop webhook secret').fill(loopKeys.webhookSecret);
    await page.getByRole('button', { name: 'Save and connect' }).click();
    await page.waitForURL(`${url}/test`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Test with a live return');
    await expect(page.locator('#no-returns').isVisible()).resolves.toBe(true);

    const tenant = await pipeline.store.getTenant(TENANT_ID);
    expect(tenant?.settings).toMatchObject({
      displayName: 'Acme Outdoor',
      destinationFacilityName: 'Main Warehouse',
      reasonMap: { 'Too small': '##user_00001' },
      completionAction: 'process',
    });
    const webhookUrl = `${gateway.url}/webhooks/loop/${TENANT_ID}`;
    const subscriptions = pipeline.loop.state.records.shopWebhooks(shop.id);
    expect(subscriptions.map((w) => [w.trigger, w.url, w.status]).sort()).toEqual([
      ['return.closed', webhookUrl, 'active'],
      ['return.created', webhookUrl, 'active'],
      ['return.updated', webhookUrl, 'active'],
    ]);

    // A customer submits a return: Loop signs and delivers it to the tenant's webhook URL.
    const submitted = pipeline.loop.state.submitReturn({
      shopId: shop.id,
      orderName: '#2001',
      items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
    });
    const loopReturnId = String(submitted.return.id);
    const row = page.locator(`tr[data-loop-return-id="${loopReturnId}"]`);
    await row.and(page.locator('[data-stage="awaiting-finale-completion"]')).waitFor({ timeout: 30_000 });
    await expect(row.textContent()).resolves.toContain('Waiting for your warehouse to complete it in Finale');
    await screenshot('3-return-arrived');

    // The warehouse completes it in Finale; the sweeper's next pass (asked for now) delivers the completion.
    const finaleReturn = pipeline.finale.state
      .listReturns(finaleAccount.name)
      .find((record) => record.returnId === `LOOP-${loopReturnId}`);
    expect(finaleReturn).toBeDefined();
    pipeline.finale.state.completeReturn(finaleReturn!.returnUrl);
    await dev.client.workflow.getHandle(sweeperWorkflowId(TENANT_ID)).signal(sweepNowSignal);

    await row.and(page.locator('[data-stage="done"]')).waitFor({ timeout: 30_000 });
    await expect(row.textContent()).resolves.toContain('Done: processed in Loop');
    expect(pipeline.loop.state.getReturn(Number(loopReturnId)).state).toBe('closed');
    await screenshot('4-done');
  }, 120_000);
  it('works without JavaScript: check credentials, take the suggested name, add rows, save', async () => {
    const { page: plain } = await launch(false);
    const shopKey = 'plain-html-loop-key';
    pipeline.loop.state.seedShop({
      name: 'Plain HTML Outfitters',
      apiKey: shopKey,
      webhookSecret: 'plain-secret',
    });

    const url = await newInviteUrl();
    await plain.goto(url);
    await plain.getByLabel('Store name').fill('Plain HTML Outfitters');
    await plain.getByLabel('Finale account name').fill(finaleAccount.name);
    await plain.getByLabel('Finale API key').fill(finaleAccount.apiKey);
    await plain.getByLabel('Finale API secret').fill(finaleAccount.apiSecret);
    await plain.getByLabel('Destination facility', { exact: true }).fill('MAIN WAREHOUSE');
    await plain.getByLabel('Loop API key').fill(shopKey);
    await plain.getByLabel('Loop webhook secret').fill('plain-secret');

    await plain.getByRole('button', { name: 'Check Finale credentials' }).click();
    await expect(plain.locator('#finale-ok').innerText()).resolves.toBe(
      '✓ Finale accepted these credentials. Locations in this account: Main Warehouse, Overflow.',
    );
    await plain.getByRole('button', { name: 'Use “Main Warehouse”' }).click();
    await expect(plain.getByLabel('Destination facility', { exact: true }).inputValue()).resolves.toBe(
      'Main Warehouse',
    );
    await expect(plain.locator('#destinationFacilityName-error').count()).resolves.toBe(0);

    await plain.getByRole('button', { name: 'Add more rows' }).click();
    await expect(plain.getByLabel('Loop reason 6').isVisible()).resolves.toBe(true);
    await plain.getByLabel('Loop reason 6').fill('Damaged');
    await plain.getByLabel('Finale reason ID 6').fill('##user_00003');
    // Secrets never come back in a page: typed again after the round trips.
    await expect(plain.getByLabel('Loop API key').inputValue()).resolves.toBe('');
    await plain.getByLabel('Finale API key').fill(finaleAccount.apiKey);
    await plain.getByLabel('Finale API secret').fill(finaleAccount.apiSecret);
    await plain.getByLabel('Loop API key').fill(shopKey);
    await plain.getByLabel('Loop webhook secret').fill('plain-secret');
    await plain.getByRole('button', { name: 'Save and connect' }).click();
    await plain.waitForURL(`${url}/test`);
    await expect(plain.locator('noscript').count()).resolves.toBe(1);

    const tenant = await pipeline.store.getTenant(NO_JS_TENANT_ID);
    expect(tenant?.settings).toMatchObject({
      destinationFacilityName: 'Main Warehouse',
      reasonMap: { Damaged: '##user_00003' },
    });
  }, 60_000);
  it('maps each Loop destination to a Finale location, and a test return lands at the mapped one', async () => {
    const finale = pipeline.finale.state;
    finale.seedAccount(mappingAccount);
    for (const facilityName of ['Main Warehouse', 'Overflow'])
      finale.seedFacility(mappingAccount.name, { facilityName });
    finale.seedProduct(mappingAccount.name, { productId: 'TEE-BLK-M' });
    finale.seedOrder(mappingAccount.name, {
      orderId: '#3001',
      items: [{ productId: 'TEE-BLK-M', quantity: 1 }],
    });
    const mapping = pipeline.loop.state.seedShop({ name: 'Two Warehouse Supply', ...mappingShop });
    for (const destination of mappingDestinations) {
      pipeline.loop.state.seedDestination({ ...destination, shopId: mapping.id });
    }
    const typeSecrets = async () => {
      await page.getByLabel('Finale API key').fill(mappingAccount.apiKey);
      await page.getByLabel('Finale API secret').fill(mappingAccount.apiSecret);
      await page.getByLabel('Loop API key').fill(mappingShop.apiKey);
      await page.getByLabel('Loop webhook secret').fill(mappingShop.webhookSecret);
    };

    const url = await newInviteUrl();
    await page.goto(url);
    await page.getByLabel('Store name').fill('Two Warehouse Supply');
    await page.getByLabel('Finale account name').fill(mappingAccount.name);
    await page.getByLabel('Destination facility', { exact: true }).fill('Main Warehouse');
    await typeSecrets();
    await expect(page.locator('#no-destinations').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Load destinations from Loop' }).click();

    // Loop's destinations, each offered the facility, every Finale location, or "not handled".
    const table = page.locator('table.destinations');
    await table.waitFor();
    const rows = await table.locator('tbody tr').all();
    await expect(Promise.all(rows.map((row) => row.getAttribute('data-destination-id')))).resolves.toEqual([
      '8401',
      '8402',
      '8403',
    ]);
    await expect(page.getByLabel('Overflow Lot').locator('option').allTextContents()).resolves.toEqual([
      'The destination facility (Main Warehouse)',
      'Finale location: Main Warehouse',
      'Finale location: Overflow',
      'Not handled in Finale: leave these returns alone',
    ]);
    await page.getByLabel('Overflow Lot').selectOption({ label: 'Finale location: Overflow' });
    await page
      .getByLabel('Flagship Store')
      .selectOption({ label: 'Not handled in Finale: leave these returns alone' });
    await screenshot('5-destinations-mapped');
    await typeSecrets();
    await page.getByRole('button', { name: 'Save and connect' }).click();
    await page.waitForURL(`${url}/test`);

    expect((await pipeline.store.getTenant(MAPPING_TENANT_ID))?.settings.destinationMap).toEqual({
      '8401': { route: 'default', loopName: 'Reno DC' },
      '8402': { route: 'location', facilityName: 'Overflow', loopName: 'Overflow Lot' },
      '8403': { route: 'not-handled', loopName: 'Flagship Store' },
    });

    // A customer ships a return to the overflow lot: it is created at the Finale location mapped to it.
    const submitted = pipeline.loop.state.submitReturn({
      shopId: mapping.id,
      orderName: '#3001',
      destinationId: 8402,
      items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }],
    });
    const loopReturnId = String(submitted.return.id);
    const row = page.locator(`tr[data-loop-return-id="${loopReturnId}"]`);
    await row.and(page.locator('[data-stage="awaiting-finale-completion"]')).waitFor({ timeout: 30_000 });
    await expect(row.locator('td.location').textContent()).resolves.toBe('Overflow');
    await expect(page.locator('dl.summary').innerText()).resolves.toContain('Overflow Lot → Overflow');
    const overflow = finale
      .account(mappingAccount.name)
      ?.facilities.find((f) => f.facilityName === 'Overflow');
    const created = finale
      .listReturns(mappingAccount.name)
      .find((r) => r.returnId === `LOOP-${loopReturnId}`);
    expect(created?.destinationFacilityUrl).toBe(overflow?.facilityUrl);
    await screenshot('6-return-at-mapped-location');
  }, 120_000);
});
