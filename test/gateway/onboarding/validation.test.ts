import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fieldError,
  elements,
  fieldsInError,
  finaleAccount,
  inputValue,
  loopKeys,
  startOnboardingWorld,
  textOf,
  uniqueTenantId,
  validFields,
  type OnboardingWorld,
} from './world.ts';

let world: OnboardingWorld;
let token: string;

beforeAll(async () => {
  world = await startOnboardingWorld();
  token = await world.newLink();
});
afterAll(() => world.close());

async function submit(overrides: Record<string, string>) {
  const response = await world.post(token, { ...validFields(uniqueTenantId()), ...overrides });
  return { status: response.statusCode, page: response.body };
}

describe('onboarding validation: each problem next to its field, in merchant words', () => {
  it('tells a wrong Finale secret from a wrong account name', async () => {
    const wrongSecret = await submit({ finaleApiSecret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(422);
    expect(fieldError(wrongSecret.page, 'finaleApiSecret')).toMatch(
      /Finale rejected this API key and secret/,
    );
    expect(fieldError(wrongSecret.page, 'finaleApiKey')).toMatch(/did not accept this API key/);
    expect(fieldError(wrongSecret.page, 'finaleAccountName')).toBeUndefined();

    const wrongAccount = await submit({ finaleAccountName: 'acme-outdoors' });
    expect(fieldError(wrongAccount.page, 'finaleAccountName')).toMatch(
      /Finale has no account called “acme-outdoors”.*after app\.finaleinventory\.com\//,
    );
    expect(fieldError(wrongAccount.page, 'finaleApiSecret')).toBeUndefined();
  });

  it('checks the account name format before asking Finale', async () => {
    const calls = world.finale.state.calls.snapshot().total;
    const { page } = await submit({ finaleAccountName: 'Acme-Outdoor' });
    expect(fieldError(page, 'finaleAccountName')).toMatch(/lower-case .* try "acme-outdoor"/);
    expect(world.finale.state.calls.snapshot().total).toBe(calls);
  });

  it('catches a facility typed in the wrong case and names the exact Finale location', async () => {
    const { status, page } = await submit({ destinationFacilityName: 'main  warehouse' });
    expect(status).toBe(422);
    expect(fieldError(page, 'destinationFacilityName')).toBe(
      'Did you mean “Main Warehouse”? That is how the location is written in Finale, and the name must match ' +
        'exactly, including capital letters and spaces.',
    );
    // The typed value is kept, and a one-click fix is offered.
    expect(inputValue(page, 'destinationFacilityName')).toBe('main  warehouse');
    expect(elements(page, 'button')).toContainEqual(
      expect.objectContaining({ name: 'useFacility', value: 'Main Warehouse' }),
    );
    expect(fieldsInError(page)).toEqual(['destinationFacilityName']);
  });

  it('rejects a sublocation, an inactive location and an unknown name, listing the real locations', async () => {
    const sublocation = await submit({ destinationFacilityName: 'Main Warehouse - Bin A1' });
    expect(fieldError(sublocation.page, 'destinationFacilityName')).toMatch(
      /“Main Warehouse - Bin A1” is a sublocation \(a bin or shelf inside “Main Warehouse”\).*Choose one of: “Main Warehouse”, “Overflow”\./,
    );
    const inactive = await submit({ destinationFacilityName: 'Old Depot' });
    expect(fieldError(inactive.page, 'destinationFacilityName')).toMatch(/“Old Depot” is inactive in Finale/);
    const unknown = await submit({ destinationFacilityName: 'Warehouse 9' });
    expect(fieldError(unknown.page, 'destinationFacilityName')).toBe(
      'Finale has no location called “Warehouse 9”. Choose one of: “Main Warehouse”, “Overflow”.',
    );
  });

  it('format-checks reason IDs and half-filled or repeated reason rows, row by row', async () => {
    const { page } = await submit({
      'reason-label-0': 'Damaged',
      'reason-id-0': 'user_3',
      'reason-label-1': 'Too small',
      'reason-id-1': '',
      'reason-label-2': '',
      'reason-id-2': '##user_00002',
      'reason-label-3': ' damaged ',
      'reason-id-3': '##user_00004',
    });
    expect(fieldError(page, 'reason-0')).toMatch(
      /^Finale reason ID must look like "##user_00003" .*got "user_3"$/,
    );
    expect(fieldError(page, 'reason-1')).toBe(
      'Enter the Finale reason ID for “Too small” (e.g. ##user_00003), or clear the row.',
    );
    expect(fieldError(page, 'reason-2')).toBe(
      'Enter the Loop reason this Finale reason ID is for, or clear the row.',
    );
    expect(fieldError(page, 'reason-3')).toMatch(/“damaged” is already mapped above as “Damaged”/);
  });

  it('names the Loop scope a key is missing, and tells a bad key apart', async () => {
    const noDestinations = await submit({ loopApiKey: loopKeys.noDestinations });
    expect(fieldError(noDestinations.page, 'loopApiKey')).toMatch(
      /^This key is missing the “Destinations \(Read\)” scope\. In Loop Admin → .*Developer tools/,
    );
    const returnsOnly = await submit({ loopApiKey: loopKeys.returnsOnly });
    expect(fieldError(returnsOnly.page, 'loopApiKey')).toMatch(
      /missing the “Developer Tools” and “Destinations \(Read\)” scopes/,
    );
    const unknown = await submit({ loopApiKey: 'not-a-loop-key' });
    expect(fieldError(unknown.page, 'loopApiKey')).toMatch(/^Loop did not accept this API key/);
  });

  it('reports every problem at once, each next to its field, and keeps what was typed but secrets', async () => {
    const { status, page } = await submit({
      displayName: '',
      tenantId: 'Not A Slug',
      finaleApiSecret: 'wrong',
      destinationFacilityName: 'main warehouse',
      loopApiKey: loopKeys.noDestinations,
      loopWebhookSecret: '',
      'reason-id-0': '##user_3',
      completionAction: 'refund',
    });
    expect(status).toBe(422);
    expect(fieldsInError(page).sort()).toEqual(
      [
        'displayName',
        'tenantId',
        'finaleApiKey',
        'finaleApiSecret',
        'loopApiKey',
        'loopWebhookSecret',
        'reason-0',
        'completionAction',
      ].sort(),
    );
    expect(fieldError(page, 'displayName')).toBe('Display name is required');
    expect(fieldError(page, 'loopWebhookSecret')).toBe('Loop webhook secret is required');
    expect(textOf(page)).toContain(
      '8 things need your attention. Each is explained next to its field below.',
    );
    // The facility cannot be checked while Finale refuses the credentials; the rest is kept for the next try.
    expect(inputValue(page, 'destinationFacilityName')).toBe('main warehouse');
    expect(inputValue(page, 'reason-label-0')).toBe('Damaged');
    // Secrets are never written back into the page: the merchant is asked to type them again.
    expect(inputValue(page, 'finaleApiKey')).toBe('');
    expect(page).not.toContain(finaleAccount.apiKey);
    expect(textOf(page)).toContain('For your safety what you typed is not shown again: type it again.');
    expect(await world.store.listTenants()).toEqual([]);
  });

  it('"Check Finale credentials" checks only Finale and offers the account’s locations', async () => {
    const { page } = await submit({
      intent: 'check-finale',
      destinationFacilityName: '',
      loopApiKey: '',
      displayName: '',
    });
    expect(fieldsInError(page)).toEqual([]);
    expect(textOf(page)).toContain(
      '✓ Finale accepted these credentials. Locations in this account: Main Warehouse, Overflow.',
    );
    expect(elements(page, 'input').find((input) => input.name === 'destinationFacilityName')?.list).toBe(
      'finale-locations',
    );
    expect(elements(page, 'option').map((option) => option.value)).toEqual(['Main Warehouse', 'Overflow']);
    expect(inputValue(page, 'finaleApiSecret')).toBe('');
    expect(page).not.toContain(finaleAccount.apiSecret);
  });

  it('"Use “Main Warehouse”" replaces the typed name and re-checks it', async () => {
    const { page } = await submit({
      destinationFacilityName: 'MAIN WAREHOUSE',
      useFacility: 'Main Warehouse',
    });
    expect(inputValue(page, 'destinationFacilityName')).toBe('Main Warehouse');
    expect(fieldError(page, 'destinationFacilityName')).toBeUndefined();
  });

  it('"Add more rows" keeps the rows and adds empty ones, without validating', async () => {
    const first = await submit({ intent: 'add-rows', finaleApiSecret: 'wrong' });
    expect(fieldsInError(first.page)).toEqual([]);
    expect(inputValue(first.page, 'reason-label-1')).toBe('Too small');
    expect(inputValue(first.page, 'reason-label-7')).toBe('');
    expect(inputValue(first.page, 'reason-label-8')).toBeUndefined();
    const second = await submit({ intent: 'add-rows', spareRows: '6' });
    expect(inputValue(second.page, 'reason-label-10')).toBe('');
  });

  it('suggests the store ID from the store name when it is left blank, as the browser does', async () => {
    // The browser's module exactly as served: self-contained, or this import fails.
    const served = (await world.app.inject('/onboarding/assets/tenant-id.js')).body;
    const browser = (await import(
      /* @vite-ignore */ `data:text/javascript;base64,${Buffer.from(served).toString('base64')}`
    )) as { suggestTenantId: (name: string) => string };
    const suggestions = {
      'Ünïcorn Gear & Co.': 'unicorn-gear-co',
      'Acme Outdoor Co.': 'acme-outdoor-co',
      'Café Ünïcode!!': 'cafe-unicode',
      '--Ötztal Bergsport GmbH & Co. KG--': 'otztal-bergsport-gmbh-co-kg',
      'ﬁne goods': 'fine-goods',
    };
    for (const [name, id] of Object.entries(suggestions)) {
      expect(browser.suggestTenantId(name)).toBe(id);
      const { page } = await submit({ intent: 'add-rows', tenantId: '', displayName: name });
      expect(inputValue(page, 'tenantId')).toBe(id);
    }
  });

  it('escapes everything it echoes back', async () => {
    const { page } = await submit({
      displayName: '<script>alert(1)</script>',
      destinationFacilityName: '"><img src=x>',
    });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x>');
    expect(inputValue(page, 'displayName')).toBe('<script>alert(1)</script>');
  });
});
