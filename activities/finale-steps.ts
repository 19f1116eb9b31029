// The Finale steps both generations of the return workflow's activities share, with the per-process caches
// that keep a burst of new returns from spending the tenant's Finale budget on the same reads.
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { TenantSettings } from '../config/tenant-settings.ts';
import { InvalidRequestError } from '../integrations/errors.ts';
import { shareAcrossCallers, untilCancelled } from '../integrations/http.ts';
import { orderIdCandidates } from '../integrations/finale/order-id-forms.ts';
import { CoalescedReturnLookup, lookupSince } from '../integrations/finale/return-lookup.ts';
import type { LocationMatch } from '../integrations/finale/types.ts';
import { TenantNotFoundError } from '../store/errors.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import type { PlannedItem } from '../workflows/return-plan.ts';
import { issueFailure } from './failures.ts';
import { activityCancellation, type TenantClients } from './tenant-clients.ts';

/** Must stay well under the create activity's heartbeat timeout set by the workflow. */
const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * A create's heartbeat details: how far back its look-up has read, so the next attempt carries on from there
 * instead of reading every window of an old return again (each costs one of 300 collection reads an hour).
 */
const lookupProgressSchema = z.object({ returnId: z.string(), coveredTo: z.iso.datetime() });
type LookupProgress = z.infer<typeof lookupProgressSchema>;
/** The details each running activity heartbeats. */
const heartbeatDetails = new WeakMap<Context, LookupProgress>();

/** Where an earlier attempt's look-up of this return got to. */
function resumedCoverage(context: Context, returnId: string): number {
  const progress = lookupProgressSchema.safeParse(context.info.heartbeatDetails);
  return progress.success && progress.data.returnId === returnId
    ? Date.parse(progress.data.coveredTo)
    : Number.NEGATIVE_INFINITY;
}

export interface ReturnActivityDeps {
  store: TenantStore;
  clientsFor: (tenantId: string) => Promise<TenantClients>;
  /** How long a resolved facility URL is reused; facilities almost never change. */
  facilityCacheMs?: number;
}

export interface FoundOrder {
  orderId: string;
  orderUrl: string;
  /** SKU → productUrl for the order's own lines, so most returns need no product look-up at all. */
  productUrls: Record<string, string>;
}

export interface FinaleReturnCreate {
  tenantId: string;
  returnId: string;
  loopReturnId: string;
  orderUrl: string;
  facilityUrl: string;
  items: (PlannedItem & { productUrl: string })[];
  /** Look the returnId up before creating (always, except a first v1 attempt). */
  lookupFirst: boolean;
  /** When the Loop return was created: no Finale return of it is older. Unknown: a long look back. */
  loopCreatedAt?: string | null;
}

/** A Finale location other than the destination facility, and the setting that names it. */
export interface FacilityTarget {
  facilityName: string;
  /** E.g. `the Finale location of Loop destination 7296 in the destination map`. */
  setting: string;
}

export interface CreatedFinaleReturn {
  returnId: string;
  returnUrl: string;
  statusId: string;
  /** Found (made by an earlier attempt or run) rather than created now. */
  existed: boolean;
}

export type FinaleSteps = ReturnType<typeof createFinaleSteps>;

export function createFinaleSteps(deps: ReturnActivityDeps) {
  const facilityCacheMs = deps.facilityCacheMs ?? 10 * 60_000;
  const facilities = new Map<string, { facilityUrl: string; expires: number }>();
  /** One Finale facility read per tenant at a time: a burst of new returns spends one call of the budget. */
  const facilityReads = new Map<string, Promise<LocationMatch>>();
  /** The order-ID form that last found an order, per tenant: tried first next time to save a 404. */
  const lastOrderForm = new Map<string, TenantSettings['orderIdForms'][number]>();
  /** Per tenant: the returnId look-ups waiting at once share one collection read. */
  const returnLookups = new Map<string, CoalescedReturnLookup>();
  /** Creates running in this process, per return: an attempt Temporal gave up on may still be running. */
  const creating = new Map<string, Promise<unknown>>();

  function returnLookupOf(tenantId: string): CoalescedReturnLookup {
    let lookup = returnLookups.get(tenantId);
    if (!lookup) {
      lookup = new CoalescedReturnLookup({
        // The client is fetched per read, so rotated credentials apply from the next read on. The read
        // answers several activities: it carries none's cancellation, and each waits with its own. Every
        // create waiting on it is held up until it goes, so it takes its GET ahead of the order reads.
        read: (window, signal) =>
          shareAcrossCallers(
            async () =>
              (await deps.clientsFor(tenantId)).finale.listReturnsChanged(window, { priority: 'urgent' }),
            signal,
          ),
      });
      returnLookups.set(tenantId, lookup);
    }
    return lookup;
  }

  async function settingsOf(tenantId: string): Promise<TenantSettings> {
    const tenant = await deps.store.getTenant(tenantId);
    if (!tenant) throw new TenantNotFoundError(tenantId);
    return tenant.settings;
  }

  /**
   * One create per return at a time in this process: a retry that starts while its timed-out attempt is
   * still running here waits for it, then looks up what it made.
   */
  async function createIdempotently(
    input: FinaleReturnCreate,
    attempt: number,
  ): Promise<CreatedFinaleReturn> {
    const key = `${input.tenantId}\u0000${input.returnId}`;
    const earlier = creating.get(key);
    const run = (async () => {
      if (earlier) await earlier.catch(() => undefined);
      return createOnce(input, input.lookupFirst || attempt > 1 || earlier !== undefined);
    })();
    creating.set(key, run);
    try {
      return await run;
    } finally {
      if (creating.get(key) === run) creating.delete(key);
    }
  }

  async function createOnce(input: FinaleReturnCreate, lookupFirst: boolean): Promise<CreatedFinaleReturn> {
    const context = Context.current();
    const since = new Date(
      Math.max(
        lookupSince(input.loopCreatedAt, Date.now()).getTime(),
        resumedCoverage(context, input.returnId),
      ),
    );
    const onProgress = (coveredTo: Date) => {
      const progress = { returnId: input.returnId, coveredTo: coveredTo.toISOString() };
      heartbeatDetails.set(context, progress);
      context.heartbeat(progress);
    };
    const lookUp = async () => {
      const existing = await returnLookupOf(input.tenantId).find(
        { returnId: input.returnId, since },
        onProgress,
        context.cancellationSignal,
      );
      return existing && { ...pick(existing), existed: true };
    };
    if (lookupFirst) {
      const existing = await lookUp();
      if (existing) return existing;
    }
    // An attempt Temporal has given up on (its retry may already be looking up) must not create.
    context.cancellationSignal.throwIfAborted();
    const { finale } = await deps.clientsFor(input.tenantId);
    try {
      const created = await finale.createReturn({
        returnId: input.returnId,
        primaryOrderUrl: input.orderUrl,
        destinationFacilityUrl: input.facilityUrl,
        returnDate: new Date(),
        notes: `Loop return ${input.loopReturnId}`,
        items: input.items.map(({ productUrl, quantity, returnReasonId }) => ({
          productUrl,
          quantity,
          ...(returnReasonId === undefined ? {} : { returnReasonId }),
        })),
      });
      return { ...pick(created), existed: false };
    } catch (error) {
      // Finale may reject a duplicate returnId: that means an earlier attempt did create it.
      if (error instanceof InvalidRequestError) {
        const existing = await lookUp();
        if (existing) return existing;
      }
      throw error;
    }
  }

  return {
    settingsOf,

    /**
     * The Finale location named `target` (by default the destination facility), by exact name. A miss is a
     * config issue whose fix names the setting that holds the name.
     */
    async resolveFacility(tenantId: string, target?: FacilityTarget): Promise<{ facilityUrl: string }> {
      const settings = await settingsOf(tenantId);
      const name = target?.facilityName ?? settings.destinationFacilityName;
      const setting = target?.setting ?? 'the destination facility name';
      const key = `${tenantId}\u0000${settings.finaleAccountName}\u0000${name}`;
      const { finale } = await deps.clientsFor(tenantId);
      // No await from here until the read is shared, so concurrent calls see either the cache or the read.
      const cached = facilities.get(key);
      if (cached && cached.expires > Date.now()) return { facilityUrl: cached.facilityUrl };
      let read = facilityReads.get(key);
      if (read === undefined) {
        read = shareAcrossCallers(() => finale.resolveLocation(name))
          .then((result) => {
            if (result.found) {
              const entry = { facilityUrl: result.found.facilityUrl, expires: Date.now() + facilityCacheMs };
              facilities.set(key, entry);
            }
            return result;
          })
          .finally(() => facilityReads.delete(key));
        facilityReads.set(key, read);
      }
      const match = await untilCancelled(read, activityCancellation());
      if (match.found) return { facilityUrl: match.found.facilityUrl };
      const near = match.nearMatches[0];
      const fix = near
        ? `Set ${setting} to exactly "${near}" (as Finale spells it), then retry`
        : `Set ${setting} to one of the Finale locations (${match.locations.map((l) => `"${l}"`).join(', ') || 'none found'}), then retry`;
      throw issueFailure(
        near
          ? `Finale has no location named "${name}"; it has "${near}", which differs only in case or spacing`
          : `Finale has no active location named "${name}"`,
        { class: 'config', code: 'FacilityNotFound', fix },
      );
    },

    /** The order, or the order-ID forms it was looked up as when Finale does not have it (yet). */
    async findOrder(
      tenantId: string,
      orderName: string,
    ): Promise<{ found: FoundOrder } | { found?: undefined; tried: string[] }> {
      const settings = await settingsOf(tenantId);
      const preferred = lastOrderForm.get(tenantId);
      const forms = preferred
        ? [preferred, ...settings.orderIdForms.filter((form) => form !== preferred)]
        : settings.orderIdForms;
      const { finale } = await deps.clientsFor(tenantId);
      const order = await finale.getOrder(orderName, forms);
      if (!order) return { tried: orderIdCandidates(orderName, forms) };
      const form = forms.find((f) => orderIdCandidates(orderName, [f]).includes(order.orderId));
      if (form) lastOrderForm.set(tenantId, form);
      return {
        found: {
          orderId: order.orderId,
          orderUrl: order.orderUrl,
          productUrls: Object.fromEntries(order.items.map((item) => [item.productId, item.productUrl])),
        },
      };
    },

    async resolveProducts(
      tenantId: string,
      skus: string[],
      known: Record<string, string>,
    ): Promise<Record<string, string>> {
      const resolved: Record<string, string> = {};
      const unknown: string[] = [];
      const missing = skus.filter((sku) => known[sku] === undefined);
      if (missing.length > 0) {
        const { finale } = await deps.clientsFor(tenantId);
        for (const sku of missing) {
          const product = await finale.resolveProduct(sku);
          if (product) resolved[sku] = product.productUrl;
          else unknown.push(sku);
        }
      }
      if (unknown.length > 0) {
        throw issueFailure(`Finale has no product with SKU ${unknown.map((s) => `"${s}"`).join(', ')}`, {
          class: 'data',
          code: 'SkuUnknown',
          fix: 'Create the product in Finale with this product ID (or correct the SKU in Shopify), then retry',
        });
      }
      return Object.fromEntries(skus.map((sku) => [sku, known[sku] ?? resolved[sku] ?? '']));
    },

    /**
     * Idempotent create: the returnId is deterministic and is looked up before creating, so a create whose
     * answer was lost (timeout, worker crash) never produces a second return. The look-up is coalesced with
     * the tenant's other waiting look-ups into one collection read (integrations/finale/return-lookup.ts).
     */
    createFinaleReturn: (input: FinaleReturnCreate): Promise<CreatedFinaleReturn> =>
      createIdempotently(input, Context.current().info.attempt),
  };
}

/**
 * Runs an activity body heartbeating: Temporal then notices a dead worker within the heartbeat timeout
 * instead of the whole start-to-close timeout, and the retry looks the return up before creating.
 */
export async function heartbeating<T>(run: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(heartbeatDetails.get(context)), HEARTBEAT_INTERVAL_MS);
  try {
    return await run();
  } finally {
    clearInterval(beat);
  }
}

function pick(finaleReturn: { returnId: string; returnUrl: string; statusId: string }) {
  return {
    returnId: finaleReturn.returnId,
    returnUrl: finaleReturn.returnUrl,
    statusId: finaleReturn.statusId,
  };
}
