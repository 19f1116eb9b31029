import { describe, expect, it } from 'vitest';
import {
  parseNewTenant,
  parseStoredTenantSettings,
  parseTenantSecrets,
  parseTenantSettings,
  TenantSettingsError,
} from '../../config/tenant-settings.ts';

const minimal = {
  tenantId: 'acme-outdoor',
  displayName: 'Acme Outdoor',
  finaleAccountName: 'acmeoutdoor',
  destinationFacilityName: 'Returns Bay',
};

const secrets = {
  finaleApiKey: 'fin-key',
  finaleApiSecret: 'fin-secret',
  loopApiKey: 'loop-key',
  loopWebhookSecret: 'loop-hook',
};

function problemsOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TenantSettingsError);
    return Object.fromEntries((error as TenantSettingsError).problems.map((p) => [p.path, p.message]));
  }
  throw new Error('expected a TenantSettingsError');
}

describe('tenant settings', () => {
  it('fills every default', () => {
    expect(parseTenantSettings(minimal)).toEqual({
      ...minimal,
      reasonMap: {},
      flagReasons: [],
      completionAction: 'process',
      orderIdForms: ['name', 'number', 'hash-number'],
      orderMissingWindowMs: 72 * 3_600_000,
      needsAttentionRecheckMs: 6 * 3_600_000,
      completionCheckIntervalMs: 4 * 86_400_000,
      sweeperIntervalMs: 5 * 60_000,
      destinationMap: {},
      unmappedDestinations: 'default-facility',
      receiptMismatch: 'flag',
      loopNoteOnCreate: false,
      paused: false,
    });
  });

  it('keeps reason labels as given and trims reason IDs', () => {
    const settings = parseTenantSettings({
      ...minimal,
      reasonMap: { ' Too Small ': ' ##user_00003 ', Damaged: '##user_00012' },
      flagReasons: ['Damaged'],
    });
    expect(settings.reasonMap).toEqual({ ' Too Small ': '##user_00003', Damaged: '##user_00012' });
  });

  it('accepts durations as milliseconds or as short strings', () => {
    const settings = parseTenantSettings({
      ...minimal,
      orderMissingWindowMs: '96h',
      needsAttentionRecheckMs: '30m',
      completionCheckIntervalMs: 86_400_000,
      sweeperIntervalMs: '90s',
    });
    expect(settings.orderMissingWindowMs).toBe(96 * 3_600_000);
    expect(settings.needsAttentionRecheckMs).toBe(30 * 60_000);
    expect(settings.completionCheckIntervalMs).toBe(86_400_000);
    expect(settings.sweeperIntervalMs).toBe(90_000);
    // Parsed output is valid input again, as happens when a stored row is read back and re-validated.
    expect(parseTenantSettings(settings)).toEqual(settings);
  });

  it('reports every problem at once, each with the field and a fix', () => {
    const problems = problemsOf(() =>
      parseTenantSettings({
        tenantId: 'Acme Outdoor',
        displayName: '  ',
        finaleAccountName: 'AcmeOutdoor',
        reasonMap: { Damaged: 'user_3', '  ': '##user_00001' },
        flagReasons: [''],
        completionAction: 'refund',
        orderIdForms: [],
        orderMissingWindowMs: '3 weeks',
        sweeperIntervalMs: 10,
        sweeperInterval: '5m',
      }),
    );
    expect(problems).toEqual({
      tenantId: expect.stringContaining('lower-case letters, digits or hyphens') as string,
      displayName: 'Display name is required',
      finaleAccountName: expect.stringContaining('try "acmeoutdoor"') as string,
      destinationFacilityName: 'Destination facility name is required',
      'reasonMap.Damaged': expect.stringMatching(/must look like "##user_00003".*got "user_3"/) as string,
      'reasonMap.  ': 'Reason labels must not be blank',
      'flagReasons.0': 'Flag reason labels must not be blank',
      completionAction: 'Loop completion action must be "process" or "close"',
      orderIdForms: expect.stringContaining('at least one order ID form') as string,
      orderMissingWindowMs: expect.stringContaining('got "3 weeks"') as string,
      sweeperIntervalMs: expect.stringContaining('between 1s and 30d') as string,
      '': 'Unrecognized key: "sweeperInterval"',
    });
  });

  it('rejects reason labels that would match the same Loop reason', () => {
    const problems = problemsOf(() =>
      parseTenantSettings({ ...minimal, reasonMap: { Damaged: '##user_00001', ' damaged': '##user_00002' } }),
    );
    expect(problems[' damaged']).toBeUndefined();
    expect(problems['reasonMap. damaged']).toMatch(/"Damaged" and " damaged" are the same/);
  });

  it('rejects unknown and repeated order ID forms', () => {
    expect(problemsOf(() => parseTenantSettings({ ...minimal, orderIdForms: ['name', 'id'] }))).toEqual({
      'orderIdForms.1': expect.stringContaining('"name" (#1001), "number" (1001) or "hash-number"') as string,
    });
    expect(problemsOf(() => parseTenantSettings({ ...minimal, orderIdForms: ['name', 'name'] }))).toEqual({
      orderIdForms: 'Order ID forms must not repeat',
    });
  });

  it('maps Loop destinations to the facility, another location or nowhere', () => {
    const settings = parseTenantSettings({
      ...minimal,
      destinationMap: {
        '7295': { route: 'default', loopName: 'Main Warehouse' },
        ' 7296 ': { route: 'location', facilityName: ' EU Warehouse ' },
        '7301': { route: 'not-handled', loopName: 'Retail Store' },
      },
      unmappedDestinations: 'hold',
      receiptMismatch: 'process',
      loopNoteOnCreate: true,
    });
    expect(settings.destinationMap).toEqual({
      '7295': { route: 'default', loopName: 'Main Warehouse' },
      '7296': { route: 'location', facilityName: 'EU Warehouse' },
      '7301': { route: 'not-handled', loopName: 'Retail Store' },
    });
    expect(parseTenantSettings(settings)).toEqual(settings);
  });

  it('says how to write a destination route, and which choices the other new settings take', () => {
    const problems = problemsOf(() =>
      parseTenantSettings({
        ...minimal,
        destinationMap: {
          '7295': { route: 'elsewhere' },
          '7296': { route: 'location' },
          'not an id': { route: 'default' },
        },
        unmappedDestinations: 'guess',
        receiptMismatch: 'ignore',
        loopNoteOnCreate: 'yes',
      }),
    );
    expect(problems).toEqual({
      'destinationMap.7295.route': expect.stringContaining('"route": "default"') as string,
      'destinationMap.7296.facilityName': 'Finale location name is required',
      'destinationMap.not an id': expect.stringContaining('numbers such as "7295"') as string,
      unmappedDestinations: expect.stringContaining('"default-facility"') as string,
      receiptMismatch: expect.stringContaining('"flag" (hold for review)') as string,
      loopNoteOnCreate: 'Loop note on create must be true or false',
    });
  });

  it('reads settings stored before destinations and receipts existed as today’s behaviour', () => {
    const stored = parseStoredTenantSettings(
      { ...minimal, reasonMap: { Damaged: '##user_00003' }, completionAction: 'close' },
      'acme-outdoor',
    );
    expect(stored).toMatchObject({
      destinationMap: {},
      unmappedDestinations: 'default-facility',
      receiptMismatch: 'flag',
      loopNoteOnCreate: false,
    });
  });

  it('reads stored settings from a newer release by dropping fields it does not know', () => {
    const stored = parseStoredTenantSettings({ ...minimal, addedLater: true }, 'acme-outdoor');
    expect(stored).not.toHaveProperty('addedLater');
  });

  it('names the tenant when stored settings are invalid', () => {
    expect(() => parseStoredTenantSettings({ ...minimal, finaleAccountName: '' }, 'acme-outdoor')).toThrow(
      /Stored settings of tenant "acme-outdoor" are invalid/,
    );
  });
});

describe('tenant secrets', () => {
  it('trims pasted credentials', () => {
    expect(parseTenantSecrets({ ...secrets, finaleApiKey: ' fin-key\n' }).finaleApiKey).toBe('fin-key');
  });

  it('says which credential is missing without echoing any value', () => {
    let caught: unknown;
    try {
      parseTenantSecrets({ ...secrets, loopApiKey: '', finaleApiSecret: undefined });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TenantSettingsError);
    const message = (caught as Error).message;
    expect(message).toContain('loopApiKey: Loop API key is required');
    expect(message).toContain('finaleApiSecret: Finale API secret is required');
    expect(message).not.toMatch(/fin-key|loop-hook/);
  });
});

describe('new tenant', () => {
  it('validates settings and secrets in one pass', () => {
    const problems = problemsOf(() =>
      parseNewTenant({
        settings: { ...minimal, tenantId: '-bad' },
        secrets: { ...secrets, loopWebhookSecret: ' ' },
      }),
    );
    expect(Object.keys(problems).sort()).toEqual(['secrets.loopWebhookSecret', 'settings.tenantId']);
  });
});
