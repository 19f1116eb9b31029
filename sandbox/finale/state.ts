import { ControlError } from '../shared/control-error.ts';
import { faultKindsExcept } from '../shared/faults.ts';
import { SlidingWindowLimiter } from '../shared/rate-limit.ts';
import { SimulatorState } from '../shared/state.ts';
import { SimulatorClock } from './clock.ts';
import { parseFinaleDate } from './finale-date.ts';
import {
  renderFacility,
  renderOrder,
  renderProduct,
  renderReturn,
  type SimFacility,
  type SimOrder,
  type SimProduct,
  type SimReturn,
  type SimReturnItem,
} from './records.ts';
import {
  accountSeedSchema,
  clockControlSchema,
  facilitySeedSchema,
  orderSeedSchema,
  productSeedSchema,
  returnCompletionSchema,
  returnItemsChangeSchema,
  returnSeedSchema,
  settingsPatchSchema,
  type AccountSeed,
  type ClockControl,
  type FacilitySeed,
  type FinaleSettings,
  type OrderSeed,
  type ProductSeed,
  type ReturnCompletion,
  type ReturnItemsChange,
  type ReturnSeed,
  type SettingsPatch,
} from './control-schemas.ts';

export interface SimAccount {
  name: string;
  apiKey: string;
  apiSecret: string;
  /** `/{account}/api`, the prefix of every resource URL of the account. */
  apiRoot: string;
  facilities: SimFacility[];
  products: SimProduct[];
  orders: SimOrder[];
  returns: SimReturn[];
}

export interface NewReturn {
  returnId?: string;
  primaryOrderUrl?: string;
  destinationFacilityUrl?: string;
  returnDate?: string;
  notes?: string;
  items: SimReturnItem[];
}

/** Where Finale's documentation is silent, the worse case for the client; no rate limits unless asked for. */
export const defaultSettings: FinaleSettings = {
  duplicateReturnIds: 'allow',
  collectionReturnItems: 'omit',
  rateLimits: { get: null, post: null, collection: null },
};

/** The published limits (third-party reports): 120 GET and 120 POST a minute, 300 collection reads an hour. */
export const publishedRateLimits: FinaleSettings['rateLimits'] = {
  get: { requests: 120, windowMs: 60_000 },
  post: { requests: 120, windowMs: 60_000 },
  collection: { requests: 300, windowMs: 3_600_000 },
};

export type RateLimitedBudget = keyof FinaleSettings['rateLimits'];

/** Every fault kind but `endless-pages` (Finale's collections do not page): its client guards against each. */
const faultKinds = faultKindsExcept('endless-pages');
export type FinaleFaultKind = (typeof faultKinds)[number];

/** In-memory Finale: accounts and their records, plus the simulator's clock, faults, call counts and settings. */
export class FinaleSimulatorState extends SimulatorState<FinaleSettings, SettingsPatch, FinaleFaultKind> {
  readonly clock = new SimulatorClock();
  readonly rateLimiter = new SlidingWindowLimiter();
  private accounts = new Map<string, SimAccount>();
  // Finale's internal record numbers; deliberately unlike any productId or returnId.
  private nextNumber = 10000;

  constructor(settings: SettingsPatch = {}) {
    super({ faultKinds, defaults: defaultSettings, settings, patchSchema: settingsPatchSchema });
  }

  /** Forgets every account, fault and count; the clock returns to real time and the settings to their start values. */
  reset(): void {
    this.resetControls();
    this.rateLimiter.reset();
    this.accounts.clear();
    this.clock.reset();
  }

  /**
   * Counts a call against the account's limits that apply to it (a collection read is a GET too), or, when
   * it would exceed one, against none: then answers that limit and when a call is next allowed.
   */
  takeRateLimit(account: SimAccount, budgets: readonly RateLimitedBudget[], now = Date.now()) {
    const limits = budgets.flatMap((budget) => {
      const limit = this.settings.rateLimits[budget];
      return limit ? [{ key: `${account.name}/${budget}`, limit }] : [];
    });
    return limits.length === 0 ? undefined : this.rateLimiter.take(limits, now);
  }

  account(name: string): SimAccount | undefined {
    return this.accounts.get(name);
  }

  seedAccount(input: AccountSeed): { name: string; apiRoot: string } {
    const { name, apiKey, apiSecret } = accountSeedSchema.parse(input);
    if (this.accounts.has(name)) throw new ControlError(409, `account ${name} already exists`);
    const apiRoot = `/${encodeURIComponent(name)}/api`;
    this.accounts.set(name, {
      name,
      apiKey,
      apiSecret,
      apiRoot,
      facilities: [],
      products: [],
      orders: [],
      returns: [],
    });
    return { name, apiRoot };
  }

  seedFacility(accountName: string, input: FacilitySeed) {
    const account = this.requireAccount(accountName);
    const seed = facilitySeedSchema.parse(input);
    // Finale keeps location and sublocation names unique across both levels.
    if (account.facilities.some((facility) => facility.facilityName === seed.facilityName)) {
      throw new ControlError(409, `facility ${seed.facilityName} already exists`);
    }
    const parent = seed.parent === undefined ? undefined : this.requireFacility(account, seed.parent);
    if (parent?.parentFacilityUrl)
      throw new ControlError(400, `${seed.parent} is a sublocation, not a location`);
    const facilityId = String(this.nextNumber++);
    const facility: SimFacility = {
      facilityId,
      facilityUrl: `${account.apiRoot}/facility/${facilityId}`,
      facilityName: seed.facilityName,
      parentFacilityUrl: parent?.facilityUrl,
      active: seed.active,
      lastUpdatedMs: this.clock.now(),
    };
    account.facilities.push(facility);
    return renderFacility(facility);
  }

  seedProduct(accountName: string, input: ProductSeed) {
    const account = this.requireAccount(accountName);
    const seed = productSeedSchema.parse(input);
    if (account.products.some((product) => product.productId === seed.productId)) {
      throw new ControlError(409, `product ${seed.productId} already exists`);
    }
    const product: SimProduct = {
      productId: seed.productId,
      productUrl: `${account.apiRoot}/product/${encodeURIComponent(seed.internalId ?? seed.productId)}`,
      internalName: seed.internalName,
      lastUpdatedMs: this.clock.now(),
    };
    account.products.push(product);
    return renderProduct(product);
  }

  seedOrder(accountName: string, input: OrderSeed) {
    const account = this.requireAccount(accountName);
    const seed = orderSeedSchema.parse(input);
    if (account.orders.some((order) => order.orderId === seed.orderId)) {
      throw new ControlError(409, `order ${seed.orderId} already exists`);
    }
    const now = this.clock.now();
    const order: SimOrder = {
      orderId: seed.orderId,
      orderUrl: `${account.apiRoot}/order/${encodeURIComponent(seed.orderId)}`,
      statusId: seed.statusId,
      items: seed.items.map((item) => ({
        ...item,
        productUrl: this.requireProduct(account, item.productId).productUrl,
      })),
      visibleAtMs: now + seed.visibleAfterMs,
      createdMs: now,
      lastUpdatedMs: now,
      extra: seed.extra,
    };
    account.orders.push(order);
    return renderOrder(order, { withItems: true });
  }

  /** Ends an order's sync lag now. */
  publishOrder(accountName: string, orderId: string) {
    const order = this.requireAccount(accountName).orders.find((candidate) => candidate.orderId === orderId);
    if (!order) throw new ControlError(404, `order ${orderId} not found`);
    order.visibleAtMs = Math.min(order.visibleAtMs, this.clock.now());
    return renderOrder(order, { withItems: true });
  }

  /** A return as if made in Finale's UI, e.g. long ago (`lastUpdatedDate`) or already completed. */
  seedReturn(accountName: string, input: ReturnSeed) {
    const account = this.requireAccount(accountName);
    const seed = returnSeedSchema.parse(input);
    const order = seed.orderId && account.orders.find((candidate) => candidate.orderId === seed.orderId);
    if (seed.orderId && !order) throw new ControlError(404, `order ${seed.orderId} not found`);
    const facility =
      seed.facilityName === undefined ? undefined : this.requireFacility(account, seed.facilityName);
    const items = seed.items.map((item) => ({
      ...item,
      productUrl: this.requireProduct(account, item.productId).productUrl,
    }));
    const updatedMs =
      seed.lastUpdatedDate === undefined ? this.clock.now() : this.toEpochMs(seed.lastUpdatedDate);
    const record = this.insertReturn(account, {
      returnId: seed.returnId,
      primaryOrderUrl: order ? order.orderUrl : undefined,
      destinationFacilityUrl: facility?.facilityUrl,
      items,
    });
    Object.assign(record, {
      statusId: seed.statusId,
      createdMs: updatedMs,
      lastUpdatedMs: updatedMs,
      extra: seed.extra,
    });
    return renderReturn(record, { withItems: true });
  }

  isVisible(order: SimOrder): boolean {
    return order.visibleAtMs <= this.clock.now();
  }

  /** Sets the clock to an instant, moves it, or returns it to real time; answers the new now. */
  setClock(input: ClockControl): number {
    const control = clockControlSchema.parse(input);
    if ('now' in control) this.clock.set(this.toEpochMs(control.now));
    else if ('advanceMs' in control) this.clock.advance(control.advanceMs);
    else this.clock.reset();
    return this.clock.now();
  }

  listReturns(accountName: string) {
    return this.requireAccount(accountName).returns.map((record) =>
      renderReturn(record, { withItems: true }),
    );
  }

  insertReturn(account: SimAccount, input: NewReturn): SimReturn {
    const number = this.nextNumber++;
    const now = this.clock.now();
    const record: SimReturn = {
      ...input,
      returnId: input.returnId ?? `R${number}`,
      returnUrl: `${account.apiRoot}/return/${number}`,
      statusId: 'RETURN_CREATED',
      createdMs: now,
      lastUpdatedMs: now,
      extra: {},
    };
    account.returns.push(record);
    return record;
  }

  /**
   * Completes a draft return as the warehouse would after receiving it; with `items`, the lines are first
   * replaced by what actually arrived (as `changeReturnItems` does).
   */
  completeReturn(returnUrl: string, received: Omit<ReturnCompletion, 'returnUrl'> = {}) {
    const { items } = returnCompletionSchema.parse({ ...received, returnUrl });
    const { account, record } = this.draftReturn(returnUrl);
    if (items) record.items = this.receivedItems(account, items);
    return this.finishReturn(returnUrl, 'RETURN_COMPLETED');
  }

  /**
   * The warehouse edits a draft return's lines to what it received: fewer or more units, another
   * product, a line removed. Items are by productId of seeded products.
   */
  changeReturnItems(returnUrl: string, items: ReturnItemsChange['items']) {
    const change = returnItemsChangeSchema.parse({ returnUrl, items });
    const { account, record } = this.draftReturn(returnUrl);
    record.items = this.receivedItems(account, change.items);
    record.lastUpdatedMs = this.clock.now();
    return renderReturn(record, { withItems: true });
  }

  /** Cancels a draft return from Finale's side. */
  cancelReturn(returnUrl: string) {
    return this.finishReturn(returnUrl, 'RETURN_CANCELLED');
  }

  /** Both actions end a draft; completed and cancelled returns cannot change any more. */
  transitionReturn(record: SimReturn, statusId: 'RETURN_COMPLETED' | 'RETURN_CANCELLED'): boolean {
    if (record.statusId !== 'RETURN_CREATED') return false;
    record.statusId = statusId;
    record.lastUpdatedMs = this.clock.now();
    return true;
  }

  private finishReturn(returnUrl: string, statusId: 'RETURN_COMPLETED' | 'RETURN_CANCELLED') {
    const { record } = this.findReturn(returnUrl);
    if (!this.transitionReturn(record, statusId)) {
      throw new ControlError(409, `return ${record.returnId} is ${record.statusId} and can no longer change`);
    }
    return renderReturn(record, { withItems: true });
  }

  private findReturn(returnUrl: string): { account: SimAccount; record: SimReturn } {
    for (const account of this.accounts.values()) {
      const record = account.returns.find((candidate) => candidate.returnUrl === returnUrl);
      if (record) return { account, record };
    }
    throw new ControlError(404, `return ${returnUrl} not found`);
  }

  /** Completed and cancelled returns cannot be modified in Finale. */
  private draftReturn(returnUrl: string): { account: SimAccount; record: SimReturn } {
    const found = this.findReturn(returnUrl);
    if (found.record.statusId !== 'RETURN_CREATED') {
      throw new ControlError(
        409,
        `return ${found.record.returnId} is ${found.record.statusId} and can no longer change`,
      );
    }
    return found;
  }

  private receivedItems(account: SimAccount, items: ReturnItemsChange['items']): SimReturnItem[] {
    return items.map((item) => ({
      productId: item.productId,
      productUrl: this.requireProduct(account, item.productId).productUrl,
      quantity: item.quantity ?? 1,
      ...(item.returnReasonId === undefined ? {} : { returnReasonId: item.returnReasonId }),
    }));
  }

  private requireAccount(name: string): SimAccount {
    const account = this.accounts.get(name);
    if (!account) throw new ControlError(404, `account ${name} not found`);
    return account;
  }

  private requireFacility(account: SimAccount, name: string): SimFacility {
    const facility = account.facilities.find((candidate) => candidate.facilityName === name);
    if (!facility) throw new ControlError(404, `facility ${name} not found`);
    return facility;
  }

  private requireProduct(account: SimAccount, productId: string): SimProduct {
    const product = account.products.find((candidate) => candidate.productId === productId);
    if (!product) throw new ControlError(404, `product ${productId} not found`);
    return product;
  }

  private toEpochMs(value: string | number): number {
    const epochMs = typeof value === 'number' ? value : parseFinaleDate(value);
    if (epochMs === undefined) throw new ControlError(400, `invalid date ${String(value)}`);
    return epochMs;
  }
}
