// A consistent demo world across both simulators and the tenant store: a Finale account with a warehouse
// and products, a Loop shop, and a tenant wired to both. Used by the tests, the benchmark and the demo.
import type { NewTenant, TenantSettingsInput } from '../config/tenant-settings.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import type { FinaleSimulatorState } from './finale/state.ts';
import type { LoopSimulatorState } from './loop/state.ts';

export const demoFinaleAccount = {
  name: 'demo-store',
  apiKey: 'demo-finale-key',
  apiSecret: 'demo-finale-secret',
};
export const demoLoopShop = { apiKey: 'demo-loop-api-key', webhookSecret: 'demo-loop-webhook-secret' };

/** Products with the internal-number productUrls real Finale accounts have: a productUrl is never the SKU. */
export const demoProducts = [
  { productId: 'TEE-BLK-M', internalId: '10020196', internalName: 'Classic Tee - M / Black' },
  { productId: 'CAP-RED', internalId: '10020197', internalName: 'Logo Cap - Red' },
  { productId: 'MUG-WHT', internalName: 'Enamel Mug - White' },
];

/**
 * The demo shop's Loop destinations: its warehouse (where every return goes unless a tenant maps them) and a
 * second one for tests of the destination map, matching the Finale account's two locations by name. Their
 * IDs stay clear of the simulator's own numbering (from 7295), which other shops in the same simulator use.
 */
export const demoLoopDestinations = [
  { id: 7101, name: 'Main Warehouse' },
  { id: 7102, name: 'Overflow' },
];

export const demoTenantSettings = {
  tenantId: 'demo',
  displayName: 'Demo Store',
  finaleAccountName: demoFinaleAccount.name,
  destinationFacilityName: 'Main Warehouse',
  reasonMap: { 'Too small': '##user_00001', "Item didn't fit": '##user_00002', Damaged: '##user_00003' },
  flagReasons: ['Damaged'],
  completionAction: 'process',
} satisfies TenantSettingsInput;

export const demoTenantSecrets = {
  finaleApiKey: demoFinaleAccount.apiKey,
  finaleApiSecret: demoFinaleAccount.apiSecret,
  loopApiKey: demoLoopShop.apiKey,
  loopWebhookSecret: demoLoopShop.webhookSecret,
};

export const demoTenant = (settings: Partial<TenantSettingsInput> = {}): NewTenant => ({
  settings: { ...demoTenantSettings, ...settings },
  secrets: demoTenantSecrets,
});

export interface DemoWorldOptions {
  finale: FinaleSimulatorState;
  loop: LoopSimulatorState;
  store: TenantStore;
  settings?: Partial<TenantSettingsInput>;
}

/** Seeds both simulators and creates (or replaces) the demo tenant. */
export async function seedDemoWorld({ finale, loop, store, settings }: DemoWorldOptions) {
  finale.seedAccount(demoFinaleAccount);
  finale.seedFacility(demoFinaleAccount.name, { facilityName: 'Main Warehouse' });
  finale.seedFacility(demoFinaleAccount.name, {
    facilityName: 'Main Warehouse - Bin A1',
    parent: 'Main Warehouse',
  });
  finale.seedFacility(demoFinaleAccount.name, { facilityName: 'Overflow' });
  for (const product of demoProducts) finale.seedProduct(demoFinaleAccount.name, product);
  const shop = loop.seedShop({ name: 'Demo Store', ...demoLoopShop });
  for (const destination of demoLoopDestinations) loop.seedDestination({ ...destination, shopId: shop.id });

  const tenant = await store.upsertTenant(demoTenant(settings));
  return { tenant, shop };
}
