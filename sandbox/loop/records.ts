import type { z } from 'zod';
import { ControlError } from '../shared/control-error.ts';
import type {
  DestinationAddress,
  destinationPatchSchema,
  destinationSchema,
  ReturnState,
  returnSchema,
  shopSchema,
  SimScope,
} from './control-schemas.ts';

export interface SimShop {
  id: number;
  name: string;
  apiKey: string;
  scopes: SimScope[];
  webhookSecret: string;
  allowFlaggedToProcess: boolean;
}

export interface SimDestination {
  id: number;
  shopId: number;
  name: string;
  type: 'warehouse' | 'donate';
  enabled: boolean;
  providerLocationId: number | null;
  address: DestinationAddress | null;
}

export interface SimWebhook {
  id: number;
  shopId: number;
  topic: string;
  trigger: string;
  url: string;
  status: 'active' | 'inactive';
}

export interface SimCustomer {
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  address1: string;
  address2: string;
  city: string;
  province: string;
  zip: string;
  country: string;
  countryCode: string;
}

export interface SimLineItem {
  lineItemId: number;
  providerLineItemId: number;
  productId: number;
  variantId: number;
  sku: string;
  barcode: string;
  title: string;
  price: string;
  returnReason: string;
  parentReturnReason: string;
  returnComment: string;
}

export interface SimNote {
  id: number;
  content: string;
  createdAt: number;
}

/** A return action called through the API: whether Loop answered `"true"` and whether the state changed. */
export interface SimAction {
  action: 'process' | 'close' | 'flag' | 'cancel';
  accepted: boolean;
  changed: boolean;
  at: number;
}

export interface SimReturn {
  id: number;
  shopId: number;
  state: ReturnState;
  orderId: number;
  orderName: string;
  providerOrderId: number;
  destinationId: number | null;
  createdAt: number;
  updatedAt: number;
  customer: SimCustomer;
  lineItems: SimLineItem[];
  notes: SimNote[];
  actions: SimAction[];
}

export type ReturnTrigger = 'return.created' | 'return.updated' | 'return.closed';

const defaultCustomer: SimCustomer = {
  email: 'jane.doe@example.com',
  firstName: 'Jane',
  lastName: 'Doe',
  phone: '+1 555 010 0199',
  address1: '12 Orchard Lane',
  address2: 'Apt 4',
  city: 'Springfield',
  province: 'Oregon',
  zip: '97477',
  country: 'United States',
  countryCode: 'US',
};

const firstIds = {
  shop: 1001,
  destination: 7295,
  webhook: 501,
  return: 6042537,
  order: 88001,
  lineItem: 91000001,
};

/** The simulator's in-memory records. Knows nothing of HTTP or webhooks. */
export class LoopRecords {
  readonly shops = new Map<number, SimShop>();
  readonly destinations = new Map<number, SimDestination>();
  readonly webhooks = new Map<number, SimWebhook>();
  readonly returns = new Map<number, SimReturn>();
  private next = { ...firstIds, note: 1 };

  reset(): void {
    this.shops.clear();
    this.destinations.clear();
    this.webhooks.clear();
    this.returns.clear();
    this.next = { ...firstIds, note: 1 };
  }

  addShop(input: z.output<typeof shopSchema>): SimShop {
    const id = this.allocate('shop', input.id);
    if (this.shops.has(id)) throw new ControlError(409, `shop ${id} already exists`);
    if (this.shopByKey(input.apiKey)) throw new ControlError(409, 'another shop already uses this API key');
    const shop: SimShop = { ...input, id };
    this.shops.set(id, shop);
    return shop;
  }

  addDestination(input: z.output<typeof destinationSchema>): SimDestination {
    const { shopId, id, ...rest } = input;
    const shop = this.shop(shopId);
    if (id !== undefined && this.destinations.has(id))
      throw new ControlError(409, `destination ${id} already exists`);
    const destination: SimDestination = { ...rest, id: this.allocate('destination', id), shopId: shop.id };
    this.destinations.set(destination.id, destination);
    return destination;
  }

  updateDestination(id: number, patch: z.output<typeof destinationPatchSchema>): SimDestination {
    const destination = this.destinations.get(id);
    if (!destination) throw new ControlError(404, `no destination ${id}`);
    // Keys present with `undefined` would erase fields; only what the patch names changes.
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) Object.assign(destination, { [key]: value });
    }
    return destination;
  }

  addWebhook(input: Omit<SimWebhook, 'id' | 'shopId'> & { shopId?: number }): SimWebhook {
    const webhook: SimWebhook = { ...input, id: this.next.webhook++, shopId: this.shop(input.shopId).id };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  addReturn(input: z.output<typeof returnSchema>, now = Date.now()): SimReturn {
    const shop = this.shop(input.shopId);
    const destinationId = this.destinationOf(shop.id, input.destinationId);
    const id = this.allocate('return', input.id);
    if (this.returns.has(id)) throw new ControlError(409, `return ${id} already exists`);
    const orderId = this.allocate('order', input.orderId);
    const createdAt = input.createdAt ?? now;
    const record: SimReturn = {
      id,
      shopId: shop.id,
      state: input.state,
      orderId,
      orderName: input.orderName ?? `#${orderId % 10_000}`,
      providerOrderId: input.providerOrderId ?? 4_500_000_000_000 + orderId,
      destinationId,
      createdAt,
      updatedAt: input.updatedAt ?? createdAt,
      customer: { ...defaultCustomer, ...input.customer },
      // One line item per unit, as Loop sends them.
      lineItems: input.items.flatMap((item) =>
        Array.from({ length: item.quantity }, () => {
          const lineItemId = this.next.lineItem++;
          return {
            lineItemId,
            providerLineItemId: 13_000_000_000 + lineItemId,
            productId: item.productId ?? 7_100_000_000,
            variantId: item.variantId ?? 42_000_000_000,
            sku: item.sku,
            barcode: item.barcode,
            title: item.title,
            price: item.price,
            returnReason: item.returnReason,
            parentReturnReason: item.parentReturnReason,
            returnComment: item.returnComment,
          };
        }),
      ),
      notes: [],
      actions: [],
    };
    this.returns.set(id, record);
    return record;
  }

  /** A return's destination is one of its shop's; by default the shop's first enabled one. */
  private destinationOf(shopId: number, requested: number | null | undefined): number | null {
    if (requested === undefined) return this.shopDestinations(shopId).find((d) => d.enabled)?.id ?? null;
    if (requested === null) return null;
    if (this.destinations.get(requested)?.shopId !== shopId) {
      throw new ControlError(404, `shop ${shopId} has no destination ${requested}`);
    }
    return requested;
  }

  addNote(record: SimReturn, content: string, now = Date.now()): SimNote {
    const note = { id: this.next.note++, content, createdAt: now };
    record.notes.push(note);
    return note;
  }

  addAction(record: SimReturn, action: Omit<SimAction, 'at'>, now = Date.now()): void {
    record.actions.push({ ...action, at: now });
  }

  /** An explicit ID, moving the sequence past it so later generated IDs never collide; else the next one. */
  private allocate(kind: 'shop' | 'destination' | 'return' | 'order', explicit: number | undefined): number {
    if (explicit === undefined) return this.next[kind]++;
    this.next[kind] = Math.max(this.next[kind], explicit + 1);
    return explicit;
  }

  /** Moves a return to `state`; the webhook triggers Loop fires for that change. */
  setState(record: SimReturn, state: ReturnState, now = Date.now()): ReturnTrigger[] {
    if (record.state === state) return [];
    record.state = state;
    record.updatedAt = now;
    return state === 'closed' ? ['return.updated', 'return.closed'] : ['return.updated'];
  }

  /** The shop with this ID, or the only/first shop when none is named. */
  shop(shopId?: number): SimShop {
    const shop = shopId === undefined ? this.shops.values().next().value : this.shops.get(shopId);
    if (!shop) throw new ControlError(404, shopId === undefined ? 'no shop seeded' : `no shop ${shopId}`);
    return shop;
  }

  shopByKey(apiKey: string | undefined): SimShop | undefined {
    if (!apiKey) return undefined;
    return [...this.shops.values()].find((shop) => shop.apiKey === apiKey);
  }

  shopDestinations(shopId: number): SimDestination[] {
    return [...this.destinations.values()].filter((d) => d.shopId === shopId);
  }

  shopWebhooks(shopId: number): SimWebhook[] {
    return [...this.webhooks.values()].filter((w) => w.shopId === shopId);
  }

  shopReturns(shopId: number): SimReturn[] {
    return [...this.returns.values()].filter((r) => r.shopId === shopId);
  }

  returnOf(shopId: number, returnId: number): SimReturn | undefined {
    const record = this.returns.get(returnId);
    return record?.shopId === shopId ? record : undefined;
  }

  requireReturn(returnId: number): SimReturn {
    const record = this.returns.get(returnId);
    if (!record) throw new ControlError(404, `no return ${returnId}`);
    return record;
  }
}
