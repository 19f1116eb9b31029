// The merchant's world in the simulators, seeded over their controls: the demo Finale account and Loop shop,
// the Loop shop's webhook subscriptions to the gateway, and then returns, each with an order in Finale.
import { demoFinaleAccount, demoLoopShop, demoProducts, demoTenantSettings } from '../sandbox/demo-world.ts';
import type { SimControl } from './sim-control.ts';

/** What becomes of a return, decided when it is submitted. */
export type Fate =
  /** The warehouse completes it; the Loop return is processed. */
  | 'complete'
  /** A reason in the tenant's flag reasons: completed in Finale, flagged in Loop. */
  | 'flag-reason'
  /** Cancelled in Loop at a random moment: the Finale return, if any, is cancelled too. */
  | 'loop-cancel'
  /** The warehouse cancels the Finale return: the Loop return is flagged. */
  | 'finale-cancel';

export interface SubmittedReturn {
  loopReturnId: number;
  orderName: string;
  fate: Fate;
  submittedAt: number;
}

export const finaleAccount = demoFinaleAccount.name;
const triggers = ['return.created', 'return.updated', 'return.closed'] as const;
const flagReason = demoTenantSettings.flagReasons[0]!;

/** The demo Finale account (warehouse, bin, overflow location, products) and the demo Loop shop. */
export async function seedWorld(sims: { finale: SimControl; loop: SimControl }, webhookUrl: string) {
  const { finale, loop } = sims;
  await finale.post('/accounts', demoFinaleAccount);
  const facilities = `/accounts/${finaleAccount}/facilities`;
  await finale.post(facilities, { facilityName: 'Main Warehouse' });
  await finale.post(facilities, { facilityName: 'Main Warehouse - Bin A1', parent: 'Main Warehouse' });
  await finale.post(facilities, { facilityName: 'Overflow' });
  for (const product of demoProducts) await finale.post(`/accounts/${finaleAccount}/products`, product);
  await loop.post('/seed', {
    shops: [{ name: 'Demo Store', ...demoLoopShop }],
    destinations: [{ name: 'Main Warehouse', providerLocationId: 61_234_567 }],
    webhooks: triggers.map((trigger) => ({ topic: 'return', trigger, url: webhookUrl, status: 'active' })),
  });
}

/** The lines of a return: one or two products, one unit or two, with a flag reason when its fate says so. */
function linesFor(index: number, fate: Fate) {
  const lines = [{ sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 1 + (index % 2) }];
  if (index % 3 === 0) lines.push({ sku: 'CAP-RED', returnReason: 'Changed my mind', quantity: 1 });
  if (fate === 'flag-reason') lines[0]!.returnReason = flagReason;
  return lines;
}

/** A customer returns order `#<100000 + index>`: the order is in Finale, the return is submitted in Loop. */
export async function submitReturn(
  sims: { finale: SimControl; loop: SimControl },
  index: number,
  fate: Fate,
): Promise<SubmittedReturn> {
  const orderName = `#${100_000 + index}`;
  const lines = linesFor(index, fate);
  await sims.finale.post(`/accounts/${finaleAccount}/orders`, {
    orderId: orderName,
    items: lines.map((line) => ({ productId: line.sku, quantity: line.quantity })),
  });
  const submittedAt = Date.now();
  const change = await sims.loop.post<{ return: { id: number } }>('/returns', { orderName, items: lines });
  return { loopReturnId: change.return.id, orderName, fate, submittedAt };
}

/** Fates for `count` returns in the given shares, shuffled. */
export function dealFates(count: number, shares: Partial<Record<Fate, number>>): Fate[] {
  const fates: Fate[] = [];
  for (const [fate, share] of Object.entries(shares) as [Fate, number][]) {
    for (let i = 0; i < Math.round(count * share); i++) fates.push(fate);
  }
  while (fates.length < count) fates.push('complete');
  fates.length = count;
  for (let i = fates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [fates[i], fates[j]] = [fates[j]!, fates[i]!];
  }
  return fates;
}
