import type { LoopSimulatorState } from './state.ts';

export const demoShop = {
  apiKey: 'demo-loop-api-key',
  webhookSecret: 'demo-loop-webhook-secret',
} as const;

/** One shop with every scope, a warehouse destination and one open return: enough to click through. */
export function seedDemo(state: LoopSimulatorState): void {
  state.seed({
    shops: [{ name: 'Demo Shop', ...demoShop }],
    destinations: [{ name: 'Main Warehouse', providerLocationId: 61_234_567 }],
    returns: [
      {
        orderName: '#1001',
        items: [
          { sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', quantity: 2, returnReason: 'Too small' },
          { sku: 'CAP-RED', title: 'Logo Cap - Red', returnReason: 'Changed my mind' },
        ],
      },
    ],
  });
}
