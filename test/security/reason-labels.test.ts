// Issue 10, gap 10: reason labels were normalised three ways (the plan, the settings schema, onboarding), so
// `Damaged` and `"Damaged"` both passed onboarding and then collided in the plan, where the last one silently
// won. Now one function decides, the schema and onboarding refuse two labels that match as one (naming
// both), in the reason map and in the flag reasons, and what they accept as distinct the plan keeps apart.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonLabelKey } from '../../config/reason-labels.ts';
import { parseTenantSettings, TenantSettingsError } from '../../config/tenant-settings.ts';
import { buildReturnPlan } from '../../workflows/return-plan.ts';
import { fieldError, validFields } from '../gateway/onboarding/world.ts';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const base = {
  tenantId: 'labels',
  displayName: 'Labels',
  finaleAccountName: 'labels',
  destinationFacilityName: 'Main Warehouse',
};

let world: GatewayWorld;
beforeAll(async () => {
  world = await startGatewayWorld();
});
afterAll(() => world?.close());

const submit = async (overrides: Record<string, string>) => {
  const response = await world.postForm(await world.newLink(), {
    ...validFields(`labels-${randomBytes(3).toString('hex')}`),
    ...overrides,
  });
  return { status: response.statusCode, page: response.body };
};

describe('onboarding', () => {
  it('refuses `Damaged` and `"Damaged"` in the reason map, naming both', async () => {
    const { status, page } = await submit({
      'reason-label-0': 'Damaged',
      'reason-id-0': '##user_00003',
      'reason-label-1': '"Damaged"',
      'reason-id-1': '##user_00004',
    });
    expect(status).toBe(422);
    expect(fieldError(page, 'reason-1')).toMatch(/^“"Damaged"” is already mapped above as “Damaged”/);
  });

  it('refuses two flag reasons that match as one, naming both', async () => {
    const { status, page } = await submit({ flagReasons: "Damaged, 'damaged  '" });
    expect(status).toBe(422);
    expect(fieldError(page, 'flagReasons')).toContain(`"Damaged" and "'damaged  '" are the same`);
  });
});

describe('the settings schema and the plan', () => {
  it('refuse what collides, in both lists, naming both labels', () => {
    let problems: string[] = [];
    try {
      parseTenantSettings({
        ...base,
        reasonMap: { Damaged: '##user_00003', '"Damaged"': '##user_00004' },
        flagReasons: ['Too  small', 'too small'],
      });
    } catch (error) {
      if (!(error instanceof TenantSettingsError)) throw error;
      problems = error.problems.map((problem) => problem.message);
    }
    expect(problems).toEqual([
      expect.stringContaining('"Damaged" and "\\"Damaged\\"" are the same'),
      expect.stringContaining('"Too  small" and "too small" are the same'),
    ]);
  });

  it('agree for any labels: what the schema accepts as distinct, the plan maps each to its own ID', () => {
    const label = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('Damaged', ' damaged', '"Damaged"', "'DAMAGED'", 'Too  small', 'too small', '""'),
    );
    fc.assert(
      fc.property(label, label, (first, second) => {
        fc.pre(first !== second);
        const settings = { ...base, reasonMap: { [first]: '##user_00001', [second]: '##user_00002' } };
        let accepted = true;
        try {
          parseTenantSettings(settings);
        } catch {
          accepted = false;
        }
        const distinct = first !== second && reasonLabelKey(first) !== '' && reasonLabelKey(second) !== '';
        expect(accepted).toBe(distinct && reasonLabelKey(first) !== reasonLabelKey(second));
        if (!accepted) return;
        const line = (reason: string) => ({
          id: reason,
          sku: 'SKU',
          variantId: null,
          productId: null,
          barcode: null,
          title: 'Item',
          returnReason: reason,
          parentReturnReason: '',
        });
        const plan = buildReturnPlan([line(first), line(second)], {
          reasonMap: settings.reasonMap,
          flagReasons: [],
        });
        expect(plan.items.map((item) => item.returnReasonId).sort()).toEqual([
          '##user_00001',
          '##user_00002',
        ]);
      }),
      { numRuns: 2_000 },
    );
  });
});
