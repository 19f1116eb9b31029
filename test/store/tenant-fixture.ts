import type { NewTenant } from '../../config/tenant-settings.ts';

/** A valid tenant whose secrets are easy to spot in raw database rows. */
export function newTenant(tenantId: string): NewTenant {
  return {
    settings: {
      tenantId,
      displayName: `Shop ${tenantId}`,
      finaleAccountName: 'demoaccount',
      destinationFacilityName: 'Returns Bay',
      reasonMap: { Damaged: '##user_00003', 'Too small': '##user_00007' },
      flagReasons: ['Damaged'],
    },
    secrets: {
      finaleApiKey: `PLAINTEXT-finale-key-${tenantId}`,
      finaleApiSecret: `PLAINTEXT-finale-secret-${tenantId}`,
      loopApiKey: `PLAINTEXT-loop-key-${tenantId}`,
      loopWebhookSecret: `PLAINTEXT-loop-webhook-${tenantId}`,
    },
  };
}
