import { faultKindsExcept } from '../shared/faults.ts';
import { SimulatorState } from '../shared/state.ts';
import {
  destinationPatchSchema,
  destinationSchema,
  returnSchema,
  seedSchema,
  settingsPatchSchema,
  shopSchema,
  stateChangeSchema,
  webhookSchema,
  type DestinationInput,
  type DestinationPatch,
  type ReturnInput,
  type ReturnState,
  type SeedInput,
  type SettingsPatch,
  type ShopInput,
  type WebhookInput,
} from './control-schemas.ts';
import { phpJson, renderReturn, type IdMode } from './payloads.ts';
import { SlidingWindowLimiter, type RateLimitSettings } from '../shared/rate-limit.ts';
import {
  LoopRecords,
  type ReturnTrigger,
  type SimDestination,
  type SimAction,
  type SimNote,
  type SimReturn,
  type SimShop,
  type SimWebhook,
} from './records.ts';
import { WebhookDispatcher, type DeliveryAttempt, type DeliverySettings } from './webhook-dispatcher.ts';

export interface LoopSettings {
  idMode: IdMode;
  paginationSupported: boolean;
  rateLimit: RateLimitSettings;
  delivery: DeliverySettings;
}

/** Loop's documented behaviour: 300/min per key; 6 delivery attempts, Retry-After honoured up to 30 min. */
export const defaultSettings: LoopSettings = {
  idMode: 'number',
  paginationSupported: true,
  rateLimit: { requests: 300, windowMs: 60_000 },
  delivery: {
    maxAttempts: 6,
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    timeoutMs: 10_000,
    retryAfterCapMs: 30 * 60_000,
    loseRate: 0,
    duplicateRate: 0,
    maxJitterMs: 0,
  },
};

export interface SeedResult {
  shops: SimShop[];
  destinations: SimDestination[];
  returns: Record<string, unknown>[];
  webhooks: SimWebhook[];
}

export interface ReturnChange {
  /** The return as Loop would send it now. */
  return: Record<string, unknown>;
  /** One per webhook delivery started (subscription × trigger). */
  deliveryIds: string[];
}

export interface ReturnView {
  shopId: number;
  state: ReturnState;
  notes: SimNote[];
  /** Every action called through the API, in order. */
  actions: SimAction[];
  return: Record<string, unknown>;
}

/**
 * Every fault kind but `missing-url`: Loop answers in its own way; the URL-less answer is Finale's failure
 * mode. `apply-then-drop` lets a call take effect and loses its answer (a return action that happened though
 * the client saw a dropped connection).
 */
const faultKinds = faultKindsExcept('missing-url');
export type LoopFaultKind = (typeof faultKinds)[number];

/**
 * In-memory Loop: shops and their records, webhook deliveries and the rate limit, plus the simulator's
 * faults, call counts and settings. Every control is a method here; the `/__control` routes call them.
 */
export class LoopSimulatorState extends SimulatorState<LoopSettings, SettingsPatch, LoopFaultKind> {
  readonly records = new LoopRecords();
  readonly rateLimiter = new SlidingWindowLimiter();
  readonly dispatcher = new WebhookDispatcher(() => this.settings.delivery);

  constructor(settings: SettingsPatch = {}) {
    super({ faultKinds, defaults: defaultSettings, settings, patchSchema: settingsPatchSchema });
  }

  /** Forgets everything (records, faults, calls, deliveries, settings) and abandons pending deliveries. */
  async reset(): Promise<void> {
    await this.dispatcher.cancelAll();
    this.resetControls();
    this.records.reset();
    this.rateLimiter.reset();
    this.dispatcher.clear();
  }

  /** Abandons pending deliveries, so closing the server leaves no retry behind. */
  override stop(): Promise<void> {
    return this.dispatcher.cancelAll();
  }

  /** Seeds records without delivering any webhook. */
  seed(input: SeedInput): SeedResult {
    const parsed = seedSchema.parse(input);
    return {
      shops: parsed.shops.map((shop) => this.records.addShop(shop)),
      destinations: parsed.destinations.map((d) => this.records.addDestination(d)),
      returns: parsed.returns.map((r) => this.render(this.records.addReturn(r))),
      webhooks: parsed.webhooks.map((w) => this.records.addWebhook(w)),
    };
  }

  seedShop(input: ShopInput): SimShop {
    return this.records.addShop(shopSchema.parse(input));
  }

  seedDestination(input: DestinationInput): SimDestination {
    return this.records.addDestination(destinationSchema.parse(input));
  }

  /** Every shop's destinations, as stored (a destination added later is seeded the same way). */
  listDestinations(): SimDestination[] {
    return [...this.records.destinations.values()];
  }

  /** A change made in Loop Admin: rename, enable or disable, retype, move. */
  updateDestination(id: number, patch: DestinationPatch): SimDestination {
    return this.records.updateDestination(id, destinationPatchSchema.parse(patch));
  }

  seedReturn(input: ReturnInput): Record<string, unknown> {
    return this.render(this.records.addReturn(returnSchema.parse(input)));
  }

  seedWebhook(input: WebhookInput): SimWebhook {
    return this.records.addWebhook(webhookSchema.parse(input));
  }

  /** A customer submits a return in the portal: stored, then `return.created` is delivered. */
  submitReturn(input: ReturnInput): ReturnChange {
    const record = this.records.addReturn(returnSchema.parse(input));
    return { return: this.render(record), deliveryIds: this.notify(record, ['return.created']) };
  }

  /** A change made in Loop Admin or elsewhere (cancel, close…): delivers `return.updated` (+ `return.closed`). */
  setReturnState(returnId: number, state: ReturnState): ReturnChange {
    const record = this.records.requireReturn(returnId);
    const triggers = this.records.setState(record, stateChangeSchema.parse({ state }).state);
    return { return: this.render(record), deliveryIds: this.notify(record, triggers) };
  }

  getReturn(returnId: number): ReturnView {
    return this.view(this.records.requireReturn(returnId));
  }

  /** Every return of every shop, in the order they were made. */
  listReturns(): ReturnView[] {
    return [...this.records.returns.values()].map((record) => this.view(record));
  }

  private view(record: SimReturn): ReturnView {
    return {
      shopId: record.shopId,
      state: record.state,
      notes: [...record.notes],
      actions: [...record.actions],
      return: this.render(record),
    };
  }

  deliveries(): DeliveryAttempt[] {
    return this.dispatcher.attempts();
  }

  clearDeliveries(): void {
    this.dispatcher.clear();
  }

  /** Resolves when every started delivery has succeeded or given up. */
  deliveriesSettled(): Promise<void> {
    return this.dispatcher.settled();
  }

  render(record: SimReturn): Record<string, unknown> {
    return renderReturn(record, this.settings.idMode);
  }

  /** Delivers one signed webhook per trigger to each of the shop's active subscriptions for it. */
  notify(record: SimReturn, triggers: ReturnTrigger[]): string[] {
    const shop = this.records.shop(record.shopId);
    return triggers.flatMap((trigger) => {
      const subscriptions = this.records
        .shopWebhooks(shop.id)
        .filter((w) => w.status === 'active' && w.topic === 'return' && w.trigger === trigger);
      if (subscriptions.length === 0) return [];
      const shopId = this.settings.idMode === 'string' ? String(shop.id) : shop.id;
      const body = phpJson({ ...this.render(record), topic: 'return', trigger, shop_id: shopId });
      return subscriptions.map((subscription) =>
        this.dispatcher.deliver({
          subscriptionId: subscription.id,
          url: subscription.url,
          topic: subscription.topic,
          trigger,
          returnId: record.id,
          body,
          secret: shop.webhookSecret,
        }),
      );
    });
  }
}
