import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweeperWorkflowId } from '../../../workflows/ids.ts';
import {
  elements,
  fieldError,
  startOnboardingWorld,
  textOf,
  uniqueTenantId,
  validFields,
  type OnboardingWorld,
} from './world.ts';

let world: OnboardingWorld;
const sweepers: string[] = [];

beforeAll(async () => {
  world = await startOnboardingWorld();
});
afterAll(async () => {
  await Promise.all(
    sweepers.map((id) =>
      world.temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await world.close();
});

/** The `<option>`s of each destination's select, and which one is chosen. */
function routeChoices(page: string) {
  return [...page.matchAll(/<select[^>]*name="(destination-route-\d+)"[^>]*>([\s\S]*?)<\/select>/g)].map(
    ([, name, options]) => ({
      name: name!,
      options: elements(options!, 'option').map((option) => option.value),
      selected: elements(options!, 'option').find((option) => 'selected' in option)?.value,
    }),
  );
}

const rows = (mapping: [number, string][]) =>
  Object.fromEntries(
    mapping.flatMap(([id, route], index) => [
      [`destination-id-${index}`, String(id)],
      [`destination-route-${index}`, route],
    ]),
  );

async function onboard(tenantId: string, fields: Record<string, string>) {
  const token = await world.newLink();
  sweepers.push(sweeperWorkflowId(tenantId));
  return { token, response: await world.post(token, { ...validFields(tenantId), ...fields }) };
}

describe('onboarding: where each Loop destination’s returns go', () => {
  it('loads the Loop destinations and the Finale locations into the mapping table', async () => {
    const token = await world.newLink();
    const before = world.loop.state.calls.count('GET /destinations');
    const response = await world.post(token, {
      ...validFields(uniqueTenantId()),
      intent: 'load-destinations',
    });
    expect(response.statusCode).toBe(200);
    expect(world.loop.state.calls.count('GET /destinations')).toBe(before + 1);
    const choices = routeChoices(response.body);
    expect(choices).toHaveLength(3);
    expect(choices[0]).toEqual({
      name: 'destination-route-0',
      options: ['default', 'location:Main Warehouse', 'location:Overflow', 'not-handled'],
      selected: 'default',
    });
    const text = textOf(response.body);
    for (const name of ['Main Warehouse ID 7295', 'EU Warehouse ID 7296', 'Retail Store ID 7297']) {
      expect(text).toContain(name);
    }
    expect(text).toContain('The destination facility (Main Warehouse)');
  });

  it('saves the mapping the merchant chose, with the other new settings', async () => {
    const tenantId = uniqueTenantId();
    const { response } = await onboard(tenantId, {
      ...rows([
        [7295, 'default'],
        [7296, 'location:Overflow'],
        [7297, 'not-handled'],
      ]),
      'destination-name-1': 'EU Warehouse',
      unmappedDestinations: 'hold',
      receiptMismatch: 'process',
      loopNoteOnCreate: 'on',
    });
    expect(response.statusCode).toBe(303);
    expect((await world.store.getTenant(tenantId))?.settings).toMatchObject({
      destinationMap: {
        '7295': { route: 'default', loopName: 'Main Warehouse' },
        '7296': { route: 'location', facilityName: 'Overflow', loopName: 'EU Warehouse' },
        '7297': { route: 'not-handled', loopName: 'Retail Store' },
      },
      unmappedDestinations: 'hold',
      receiptMismatch: 'process',
      loopNoteOnCreate: true,
    });
  });

  it('records every destination Loop has at onboarding as going to the facility when the table was not used', async () => {
    const tenantId = uniqueTenantId();
    expect((await onboard(tenantId, {})).response.statusCode).toBe(303);
    const settings = (await world.store.getTenant(tenantId))?.settings;
    expect(settings?.destinationMap).toEqual({
      '7295': { route: 'default', loopName: 'Main Warehouse' },
      '7296': { route: 'default', loopName: 'EU Warehouse' },
      '7297': { route: 'default', loopName: 'Retail Store' },
    });
    expect(settings).toMatchObject({
      unmappedDestinations: 'default-facility',
      receiptMismatch: 'flag',
      loopNoteOnCreate: false,
    });
  });

  it('says next to its row when a destination is sent to a location Finale does not have', async () => {
    const { response } = await onboard(uniqueTenantId(), rows([[7296, 'location:Old Depot']]));
    expect(response.statusCode).toBe(422);
    const index = routeChoices(response.body).findIndex((choice) => choice.selected === 'location:Old Depot');
    expect(fieldError(response.body, `destination-${index}`)).toBe(
      'Finale has no active location called “Old Depot”. Choose one of: “Main Warehouse”, “Overflow”.',
    );
  });

  it('reopens with the saved mapping chosen, without asking Loop or Finale', async () => {
    const tenantId = uniqueTenantId();
    await onboard(tenantId, {
      ...rows([
        [7296, 'location:Overflow'],
        [7297, 'not-handled'],
      ]),
      receiptMismatch: 'process',
    });
    // A link saves once: the merchant changes the settings through an operator's change link.
    const token = await world.changeLink(tenantId);
    const loopCalls = world.loop.state.calls.snapshot().total;
    const finaleCalls = world.finale.state.calls.snapshot().total;
    const page = (await world.get(token)).body;
    expect(world.loop.state.calls.snapshot().total).toBe(loopCalls);
    expect(world.finale.state.calls.snapshot().total).toBe(finaleCalls);
    expect(routeChoices(page).map((choice) => choice.selected)).toEqual([
      'default',
      'location:Overflow',
      'not-handled',
    ]);
    const checked = elements(page, 'input').filter((input) => 'checked' in input);
    expect(checked.map((input) => [input.name, input.value])).toEqual(
      expect.arrayContaining([
        ['receiptMismatch', 'process'],
        ['unmappedDestinations', 'default-facility'],
      ]),
    );
  });
});
