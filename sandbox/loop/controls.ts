import {
  destinationInput,
  returnInput,
  seedInput,
  settingsPatch,
  shopInput,
  stateChangeInput,
  webhookInput,
  type DestinationInput,
  type FaultInput,
  type ReturnInput,
  type ReturnState,
  type SeedInput,
  type SettingsPatch,
  type ShopInput,
  type WebhookInput,
} from './control-schemas.ts';
import { CallLog, type CallReport } from './call-log.ts';
import { FaultSet, type FaultRule } from './faults.ts';
import { phpJson, renderReturn, type IdMode } from './payloads.ts';
import { SlidingWindowLimiter, type RateLimitSettings } from './rate-limit.ts';
import {
  SimulatorStore,
  type ReturnTrigger,
  type SimDestination,
  type SimNote,
  type SimReturn,
  type SimShop,
  type SimWebhook,
} from './store.ts';
import { WebhookDispatcher, type DeliveryAttempt, type DeliverySettings } from './webhook-dispatcher.ts';

export interface SimulatorSettings {
  idMode: IdMode;
  paginationSupported: boolean;
  rateLimit: RateLimitSettings;
  delivery: DeliverySettings;
}

/** Loop's documented behaviour: 300/min per key; 6 delivery attempts, Retry-After honoured up to 30 min. */
export const defaultSimulatorSettings: SimulatorSettings = {
  idMode: 'number',
  paginationSupported: true,
  rateLimit: { requests: 300, windowMs: 60_000 },
  delivery: {
    maxAttempts: 6,
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    timeoutMs: 10_000,
    retryAfterCapMs: 30 * 60_000,
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
  return: Record<string, unknown>;
}

const applyPatch = (settings: SimulatorSettings, input: SettingsPatch): SimulatorSettings => {
  const patch = settingsPatch.parse(input);
  return {
    idMode: patch.idMode ?? settings.idMode,
    paginationSupported: patch.paginationSupported ?? settings.paginationSupported,
    rateLimit: { ...settings.rateLimit, ...patch.rateLimit },
    delivery: { ...settings.delivery, ...patch.delivery },
  };
};

/**
 * The simulator's state and every control over it, usable in-process; the `/__control` routes call
 * these same methods.
 */
export class SimulatorControls {
  readonly store = new SimulatorStore();
  readonly faults = new FaultSet();
  readonly callLog = new CallLog();
  readonly rateLimiter = new SlidingWindowLimiter();
  readonly dispatcher = new WebhookDispatcher(() => this.settings.delivery);
  private readonly initialSettings: SimulatorSettings;
  settings: SimulatorSettings;

  constructor(settings: SettingsPatch = {}) {
    this.initialSettings = applyPatch(defaultSimulatorSettings, settings);
    this.settings = this.initialSettings;
  }

  /** Forgets everything (records, faults, calls, deliveries, settings) and abandons pending deliveries. */
  async reset(): Promise<void> {
    await this.dispatcher.cancelAll();
    this.store.reset();
    this.faults.clear();
    this.callLog.reset();
    this.rateLimiter.reset();
    this.dispatcher.clear();
    this.settings = this.initialSettings;
  }

  /** Seeds records without delivering any webhook. */
  seed(input: SeedInput): SeedResult {
    const parsed = seedInput.parse(input);
    return {
      shops: parsed.shops.map((shop) => this.store.addShop(shop)),
      destinations: parsed.destinations.map((d) => this.store.addDestination(d)),
      returns: parsed.returns.map((r) => this.render(this.store.addReturn(r))),
      webhooks: parsed.webhooks.map((w) => this.store.addWebhook(w)),
    };
  }

  seedShop(input: ShopInput): SimShop {
    return this.store.addShop(shopInput.parse(input));
  }

  seedDestination(input: DestinationInput): SimDestination {
    return this.store.addDestination(destinationInput.parse(input));
  }

  seedReturn(input: ReturnInput): Record<string, unknown> {
    return this.render(this.store.addReturn(returnInput.parse(input)));
  }

  seedWebhook(input: WebhookInput): SimWebhook {
    return this.store.addWebhook(webhookInput.parse(input));
  }

  /** A customer submits a return in the portal: stored, then `return.created` is delivered. */
  submitReturn(input: ReturnInput): ReturnChange {
    const record = this.store.addReturn(returnInput.parse(input));
    return { return: this.render(record), deliveryIds: this.notify(record, ['return.created']) };
  }

  /** A change made in Loop Admin or elsewhere (cancel, close…): delivers `return.updated` (+ `return.closed`). */
  setReturnState(returnId: number, state: ReturnState): ReturnChange {
    const record = this.store.requireReturn(returnId);
    const triggers = this.store.setState(record, stateChangeInput.parse({ state }).state);
    return { return: this.render(record), deliveryIds: this.notify(record, triggers) };
  }

  getReturn(returnId: number): ReturnView {
    const record = this.store.requireReturn(returnId);
    return {
      shopId: record.shopId,
      state: record.state,
      notes: [...record.notes],
      return: this.render(record),
    };
  }

  getSettings(): SimulatorSettings {
    return structuredClone(this.settings);
  }

  updateSettings(patch: SettingsPatch): SimulatorSettings {
    this.settings = applyPatch(this.settings, patch);
    return this.getSettings();
  }

  addFault(input: FaultInput): FaultRule {
    return this.faults.add(input);
  }

  listFaults(): FaultRule[] {
    return this.faults.list();
  }

  removeFault(id: string): boolean {
    return this.faults.remove(id);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  calls(): CallReport {
    return this.callLog.report();
  }

  resetCalls(): void {
    this.callLog.reset();
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
    const shop = this.store.shop(record.shopId);
    return triggers.flatMap((trigger) => {
      const subscriptions = this.store
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
