// Activities of the return workflow: every call to the tenant store, Finale and Loop. Each returns only
// what the workflow needs (IDs, URLs, statuses), never credentials or customer PII. The workflow reads no
// settings itself: each activity reads what it needs, so a setting fixed while a return waits applies at
// its next step. A paused tenant's activities act on nothing: they raise a hold the workflow waits out.
//
// Three activities are polls: they are retried by Temporal (no workflow task, no history event per look),
// each attempt choosing when the next one comes (workflows/return/schedules.ts).
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { TenantSettings } from '../config/tenant-settings.ts';
import type { LoopActionOutcome } from '../integrations/loop/client.ts';
import type { LoopReturn, LoopReturnLineItem } from '../integrations/loop/loop-return.ts';
import type { IssueDetails, LineFix, LineWithoutSku } from '../workflows/messages.ts';
import {
  compareReceipt,
  receiptNote,
  type CreatedLine,
  type ReceiptDifference,
  type ReceivedLine,
} from '../workflows/receipt-check.ts';
import { buildReturnPlan, finaleReturnIdFor } from '../workflows/return-plan.ts';
import {
  fallbackCheckSchedule,
  orderLookSchedule,
  pausedLookSchedule,
  pollPosition,
  type LookSchedule,
} from '../workflows/return/schedules.ts';
import { routeReturn } from './destination-routing.ts';
import { classified, issueFailure, toActivityFailure } from './failures.ts';
import { createFinaleSteps, heartbeating, type ReturnActivityDeps } from './finale-steps.ts';
import { createReturnActivitiesV1 } from './return-activities-v1.ts';

export type { ReturnActivityDeps } from './finale-steps.ts';

interface TenantRef {
  tenantId: string;
}
interface LoopReturnRef extends TenantRef {
  loopReturnId: string;
}

export type OrderLookup =
  | { found: true; orderUrl: string; productUrls: Record<string, string> }
  | {
      found: false;
      message: string;
      /** The tenant's order window: how long an order not synced yet is looked for. */
      windowMs: number;
      /** The tenant's re-check interval, for a park that follows. */
      recheckAfterMs: number;
    }
  /** The return's Loop destination is not handled in Finale: no order was looked for. Says why. */
  | { found: false; notHandledInFinale: string };

/** Where a poll began: how long its wait had lasted then, and the seed of its jitter. */
export interface PollStart {
  waitedBeforeMs: number;
  seed: number;
}

export interface CreateReturnInFinaleInput extends LoopReturnRef {
  /** The webhook's or sweeper's snapshot; absent on a retry, which reads the return from Loop again. */
  loopReturn?: LoopReturn;
  orderUrl: string;
  productUrls: Record<string, string>;
  lineFixes: LineFix[];
  /** This workflow has not tried the create before: a Finale return found now was made by an earlier one. */
  firstTry: boolean;
  /**
   * Route by the return's Loop destination, and add the tenant's optional Loop note once created. Absent for
   * workflows that began before destinations were routed: those create at the destination facility.
   */
  routeByDestination?: boolean;
}

export type CreateReturnInFinaleResult =
  | { kind: 'loop-return-not-open'; loopState: string }
  | { kind: 'not-handled-in-finale'; why: string }
  | {
      kind: 'created' | 'found';
      returnId: string;
      returnUrl: string;
      statusId: string;
      /** Found, and made before this workflow first tried: by an earlier workflow of the same return. */
      madeByEarlierRun: boolean;
      orderName: string;
      flagReasonsMatched: string[];
      unmappedReasons: string[];
      /** The Finale location it is at, and the lines it was created with (with routing only). */
      facilityName?: string;
      lines?: CreatedLine[];
      /** The tenant's Loop note naming the Finale return and location: added, or it could not be. */
      loopNote?: 'added' | 'failed';
    };

/** What the workflow knows of a completed Finale return, for the received-quantity check. */
export interface ReceiptInput {
  finaleReturnId: string;
  returnUrl: string;
  created: CreatedLine[];
  /** The completed return's lines, when a report or check carried them; otherwise read once here. */
  received?: ReceivedLine[];
}

export interface LoopUpdate {
  action: 'process' | 'close' | 'flag';
  result: LoopActionOutcome;
  /** With a receipt to check: what the warehouse received differently (empty when exactly as created). */
  differences?: ReceiptDifference[];
}

const FINALE_TERMINAL = new Set(['RETURN_COMPLETED', 'RETURN_CANCELLED']);

/**
 * A poll's "not yet": retried by Temporal after the delay this attempt chose. Benign, so the SDK neither
 * logs it as a warning nor counts it as a failed activity.
 */
function notYet(message: string, delayMs: number, code: string): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: code,
    category: ApplicationFailureCategory.BENIGN,
    nextRetryDelay: Math.max(1_000, Math.round(delayMs)),
    details: [
      { class: 'waiting', code, fix: 'Nothing to do: looked at again automatically' } satisfies IssueDetails,
    ],
  });
}

const minutes = (ms: number) =>
  ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 360_000) / 10} h`;

/** Loop lines with an operator's fixes applied: given a Finale product, or left out. */
export function applyLineFixes(lines: LoopReturnLineItem[], fixes: LineFix[]): LoopReturnLineItem[] {
  const productFor = new Map<string, string>();
  for (const fix of fixes) if (fix.lineItemId && fix.productId) productFor.set(fix.lineItemId, fix.productId);
  const skipRest = fixes.some((fix) => fix.skipLinesWithoutSku);
  return lines.flatMap((line) => {
    if (line.sku.trim() !== '') return [line];
    const productId = productFor.get(line.id);
    if (productId !== undefined) return [{ ...line, sku: productId }];
    return skipRest ? [] : [line];
  });
}

function missingSkuIssue(
  lines: LineWithoutSku[],
  tenantId: string,
  loopReturnId: string,
): ApplicationFailure {
  const listed = lines.map((line) => `line ${line.id} "${line.title}"`).join(', ');
  const ids = `${tenantId} ${loopReturnId}`;
  return issueFailure(
    `Loop sent ${lines.length === 1 ? 'a line' : `${lines.length} lines`} without a SKU: ${listed}`,
    {
      class: 'data',
      code: 'MissingSku',
      fix:
        `Give each such line the Finale product it is (CLI: return fix-lines ${ids} --line <lineId>=<productId>), ` +
        `or continue without them (return fix-lines ${ids} --skip-lines-without-sku), ` +
        'or remove them from the return in Loop and retry',
      lines,
    },
  );
}

export function createReturnActivities(deps: ReturnActivityDeps) {
  const steps = createFinaleSteps(deps);

  /** The tenant's settings, or the hold that a paused tenant's returns wait out. */
  async function activeSettings(tenantId: string): Promise<TenantSettings> {
    const settings = await steps.settingsOf(tenantId);
    if (!settings.paused) return settings;
    throw issueFailure(`Tenant ${tenantId} is paused`, {
      class: 'waiting',
      code: 'TenantPaused',
      fix: `Resume the tenant (admin API: POST /admin/tenants/${tenantId}/resume); its held returns continue at once`,
      hold: 'tenant-paused',
    });
  }

  /**
   * Runs an activity body, classifying its failures and telling the workflow when to look again at a
   * business issue by itself (the workflow reads no settings).
   */
  function classifiedFor<A extends TenantRef, R>(run: (input: A) => Promise<R>): (input: A) => Promise<R> {
    return async (input) => {
      try {
        return await run(input);
      } catch (error) {
        const failure = toActivityFailure(error);
        const details =
          failure instanceof ApplicationFailure
            ? (failure.details?.[0] as IssueDetails | undefined)
            : undefined;
        // Retryable ones too: an outage that outlasts the step's retries parks the return as well.
        if (failure instanceof ApplicationFailure && details?.class) {
          const settings = await steps.settingsOf(input.tenantId).catch(() => undefined);
          if (settings) details.recheckAfterMs = settings.needsAttentionRecheckMs;
        }
        throw failure;
      }
    };
  }

  /**
   * The tenant's optional Loop note naming where the return went. Best effort: the return exists in Finale
   * either way, so a note Loop refuses never fails (or repeats) the create; the timeline says so.
   */
  async function noteCreated(
    input: LoopReturnRef,
    finaleReturnId: string,
    facilityName: string,
  ): Promise<'added' | 'failed'> {
    try {
      const { loop } = await deps.clientsFor(input.tenantId);
      await loop.addNote(input.loopReturnId, `Finale return ${finaleReturnId} created at ${facilityName}`);
      return 'added';
    } catch (error) {
      log.warn('the Loop note on create could not be added', {
        error: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
  }

  /** What the warehouse received differently from what was created; reads the completed return if needed. */
  async function receiptDifferences(tenantId: string, receipt: ReceiptInput): Promise<ReceiptDifference[]> {
    let received = receipt.received;
    if (received === undefined) {
      const { finale } = await deps.clientsFor(tenantId);
      // A single-record read lists the return's lines; one without any left none to receive.
      received = (await finale.getReturn(receipt.returnUrl)).items ?? [];
    }
    return compareReceipt(receipt.created, received);
  }

  /** This attempt's place in a poll's schedule. */
  const position = (schedule: LookSchedule, poll: PollStart) =>
    pollPosition(schedule, poll, Context.current().info.attempt);

  return {
    ...classified(createReturnActivitiesV1(deps, steps)),

    getLoopReturn: classifiedFor(async ({ tenantId, loopReturnId }: LoopReturnRef): Promise<LoopReturn> => {
      const { loop } = await deps.clientsFor(tenantId);
      return loop.getReturn(loopReturnId);
    }),

    /**
     * The order in Finale. With `lookUntil`, a poll: an order not synced from Shopify yet is looked for
     * again (minutes at first, growing to hours) until then; after it, or without it, "not found" is an
     * answer, not a failure.
     */
    findOrderInFinale: classifiedFor(
      async (
        input: TenantRef & {
          orderName: string;
          poll?: PollStart & { windowLeftMs: number };
          /** Route by the return's Loop destination first: one not handled in Finale needs no order. */
          destination?: { id?: string };
        },
      ): Promise<OrderLookup> => {
        const settings = await activeSettings(input.tenantId);
        if (input.destination) {
          const routed = routeReturn(settings, input.destination.id);
          if (routed.kind === 'not-handled') return { found: false, notHandledInFinale: routed.why };
        }
        const poll = input.poll && position(orderLookSchedule, input.poll);
        const leftMs =
          input.poll && poll ? input.poll.windowLeftMs - (poll.waitedMs - input.poll.waitedBeforeMs) : 0;
        const again = (message: string) => {
          const delay = Math.min(leftMs, poll?.nextDelayMs ?? 0);
          return notYet(`${message}; looking again in ${minutes(delay)}`, delay, 'OrderNotSyncedYet');
        };
        // A poll's first attempt only schedules the first look: the workflow has just looked.
        if (Context.current().info.attempt === 1 && leftMs >= 1_000) throw again('Order not synced yet');
        const order = await steps.findOrder(input.tenantId, input.orderName);
        if (order.found) {
          return { found: true, orderUrl: order.found.orderUrl, productUrls: order.found.productUrls };
        }
        const message = `Order ${input.orderName} is not in Finale (looked up as "${order.tried.join('", "')}")`;
        if (leftMs >= 1_000) throw again(message);
        return {
          found: false,
          message,
          windowMs: settings.orderMissingWindowMs,
          recheckAfterMs: settings.needsAttentionRecheckMs,
        };
      },
    ),

    /**
     * Plans the Finale return from the Loop return (with the operator's line fixes), resolves its facility
     * and products, and creates it, always looking its deterministic returnId up first: a return made by an
     * earlier attempt or an earlier workflow of the same Loop return is found, never made twice. Order GET,
     * look-up and create: three Finale calls (facility and product reads are shared and cached).
     */
    createReturnInFinale: classifiedFor(
      (input: CreateReturnInFinaleInput): Promise<CreateReturnInFinaleResult> =>
        heartbeating(async () => {
          const settings = await activeSettings(input.tenantId);
          const loopReturn =
            input.loopReturn ??
            (await (await deps.clientsFor(input.tenantId)).loop.getReturn(input.loopReturnId));
          if (loopReturn.state !== 'open')
            return { kind: 'loop-return-not-open', loopState: loopReturn.state };

          const plan = buildReturnPlan(applyLineFixes(loopReturn.lineItems, input.lineFixes), settings);
          if (plan.lineItemsWithoutSku.length > 0) {
            throw missingSkuIssue(plan.lineItemsWithoutSku, input.tenantId, input.loopReturnId);
          }
          if (plan.items.length === 0) {
            throw issueFailure('No line of the return is left to create in Finale', {
              class: 'data',
              code: 'NothingToReturn',
              fix: 'Give at least one line a Finale product (return fix-lines), or close the return in Loop',
            });
          }
          const routed = input.routeByDestination
            ? routeReturn(settings, loopReturn.destinationId)
            : undefined;
          if (routed?.kind === 'not-handled') return { kind: 'not-handled-in-finale', why: routed.why };
          const target = routed?.target;
          const { facilityUrl } = await steps.resolveFacility(input.tenantId, target);
          const productUrls = await steps.resolveProducts(input.tenantId, plan.skus, input.productUrls);
          const items = plan.items.map((item) => ({ ...item, productUrl: productUrls[item.sku] ?? '' }));
          const created = await steps.createFinaleReturn({
            tenantId: input.tenantId,
            returnId: finaleReturnIdFor(input.loopReturnId),
            loopReturnId: input.loopReturnId,
            orderUrl: input.orderUrl,
            facilityUrl,
            items,
            lookupFirst: true,
            loopCreatedAt: loopReturn.createdAt,
          });
          const loopNote =
            target && settings.loopNoteOnCreate && !created.existed
              ? await noteCreated(input, created.returnId, target.facilityName)
              : undefined;
          return {
            kind: created.existed ? 'found' : 'created',
            returnId: created.returnId,
            returnUrl: created.returnUrl,
            statusId: created.statusId,
            madeByEarlierRun: created.existed && input.firstTry && Context.current().info.attempt === 1,
            orderName: loopReturn.orderName,
            flagReasonsMatched: plan.flagReasonsMatched,
            unmappedReasons: plan.unmappedReasons,
            ...(target && {
              facilityName: target.facilityName,
              lines: items.map(({ sku, productUrl, quantity, returnReasonId }) => ({
                sku,
                productUrl,
                quantity,
                ...(returnReasonId === undefined ? {} : { returnReasonId }),
              })),
            }),
            ...(loopNote && { loopNote }),
          };
        }),
    ),

    /**
     * A poll that ends when the Finale return is completed or cancelled: the fallback in case the tenant
     * sweeper misses it. Its first attempt only schedules the first check; each later one reads the return
     * once. It never fails: an unreadable return (or a paused tenant) is looked at again later.
     */
    awaitFinaleCompletion: classifiedFor(
      async ({
        tenantId,
        returnUrl,
        poll,
      }: TenantRef & { returnUrl: string; poll: PollStart }): Promise<{
        statusId: string;
        /** The return's lines as read (after completion: what the warehouse received). */
        items?: ReceivedLine[];
      }> => {
        const settings = await steps.settingsOf(tenantId);
        const schedule = fallbackCheckSchedule(settings.completionCheckIntervalMs);
        if (Context.current().info.attempt > 1 && !settings.paused) {
          try {
            const { finale } = await deps.clientsFor(tenantId);
            // The fallback check only backs up the sweeper: it spends what work (creates, look-ups) leaves over.
            const { statusId, items } = await finale.getReturn(returnUrl, { priority: 'background' });
            if (FINALE_TERMINAL.has(statusId)) return { statusId, ...(items && { items }) };
          } catch (error) {
            log.warn('fallback check of a Finale return failed; looking again later', {
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
        const delay = position(schedule, poll).nextDelayMs;
        throw notYet(
          `Finale return still open; next fallback check in ${minutes(delay)}`,
          delay,
          'FinaleReturnOpen',
        );
      },
    ),

    /** A poll that ends once the tenant is no longer paused (resuming also nudges held returns at once). */
    awaitTenantResumed: classifiedFor(
      async ({ tenantId, poll }: TenantRef & { poll: PollStart }): Promise<void> => {
        const settings = await steps.settingsOf(tenantId);
        if (!settings.paused) return;
        const delay = position(pausedLookSchedule, poll).nextDelayMs;
        throw notYet(
          `Tenant ${tenantId} is still paused; looking again in ${minutes(delay)}`,
          delay,
          'TenantStillPaused',
        );
      },
    ),

    /**
     * Processes or closes the Loop return (per the tenant's setting), or flags it with a note saying why.
     * With a receipt, first compares what the warehouse received with what was created (reading the
     * completed Finale return once when nothing carried its lines): any difference flags the return, or by
     * the tenant's setting completes it anyway, either way with a note listing the differences.
     */
    updateReturnInLoop: classifiedFor(
      async ({
        tenantId,
        loopReturnId,
        flagNote,
        receipt,
      }: LoopReturnRef & { flagNote?: string; receipt?: ReceiptInput }): Promise<LoopUpdate> => {
        const settings = await activeSettings(tenantId);
        const { loop } = await deps.clientsFor(tenantId);
        const differences = receipt && (await receiptDifferences(tenantId, receipt));
        const mismatch = receipt && differences && differences.length > 0;
        const checked = differences ? { differences } : {};
        if (flagNote !== undefined || (mismatch && settings.receiptMismatch === 'flag')) {
          const note = [
            flagNote,
            mismatch && receiptNote(receipt.finaleReturnId, differences, 'flag'),
          ].filter((part) => typeof part === 'string');
          const result = await loop.flagReturn(loopReturnId);
          // Flag takes no parameters: the reason goes in a note.
          if (result === 'applied') await loop.addNote(loopReturnId, note.join('\n'));
          return { action: 'flag', result, ...checked };
        }
        // The note first: a return already processed or closed may take no more notes.
        if (mismatch)
          await loop.addNote(loopReturnId, receiptNote(receipt.finaleReturnId, differences, 'process'));
        const action = settings.completionAction;
        const result =
          action === 'process'
            ? await loop.processReturn(loopReturnId)
            : await loop.closeReturn(loopReturnId);
        return { action, result, ...checked };
      },
    ),

    cancelReturnInFinale: classifiedFor(
      async ({ tenantId, returnUrl }: TenantRef & { returnUrl: string }): Promise<void> => {
        await activeSettings(tenantId);
        const { finale } = await deps.clientsFor(tenantId);
        await finale.cancelReturn(returnUrl);
      },
    ),
  };
}

export type ReturnActivities = ReturnType<typeof createReturnActivities>;
