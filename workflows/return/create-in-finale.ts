// Phase 1: the Loop return becomes a Finale return. Reads the return (the webhook's snapshot when it is
// current), routes it by its Loop destination (one not handled in Finale is skipped before any Finale
// call), finds its order (looking again for a while when it has not synced from Shopify yet), then creates
// the Finale return at the destination's location, or finds the one an earlier attempt or workflow made.
import { ApplicationFailure, proxySinks } from '@temporalio/workflow';
import type { AppSinks } from '../../observability/app-sinks.ts';
import type { LoopReturn } from '../../integrations/loop/loop-return.ts';
import type { IssueDetails, ReturnState } from '../messages.ts';
import { issueFrom } from './issues.ts';
import { activities, call, createOptions, pollOptions, stepOptions } from './proxies.ts';
import { FINALE_COMPLETED, type ReturnRun } from './run.ts';

const { appMetrics } = proxySinks<AppSinks>();

interface Order {
  orderUrl: string;
  productUrls: Record<string, string>;
}

/** The return's Loop destination is not handled in Finale; says why. */
interface NotHandled {
  notHandledInFinale: string;
}

/** Ends the workflow when the return turned out to be handled already; otherwise leaves it awaiting completion. */
export async function createInFinale(run: ReturnRun): Promise<ReturnState | undefined> {
  run.enter('resolving', 'Reading the return and matching it to Finale');
  const loopReturn =
    run.snapshot ??
    (await run.step('read Loop return', () =>
      call(activities.getLoopReturn, stepOptions, `Read Loop return ${run.loopReturnId}`, run.ids),
    ));
  if (loopReturn.state !== 'open') return notOpen(run, loopReturn.state);
  run.state.orderName = loopReturn.orderName;

  const found = run.carry.order ?? (await findOrder(run, loopReturn));
  if ('notHandledInFinale' in found) return skipped(run, found.notHandledInFinale);
  const order = (run.carry.order = found);
  run.enter('creating-finale-return', 'Creating the return in Finale');
  const created = await run.step('create Finale return', () => create(run, loopReturn, order));
  if (created.kind === 'loop-return-not-open') return notOpen(run, created.loopState);
  if (created.kind === 'not-handled-in-finale') return skipped(run, created.why);

  const { facilityName } = created;
  run.state.finaleReturn = {
    returnId: created.returnId,
    returnUrl: created.returnUrl,
    ...(facilityName === undefined ? {} : { facilityName }),
  };
  if (created.lines) run.carry.created = created.lines;
  if (created.loopNote) {
    run.record(
      created.loopNote === 'added'
        ? 'Loop note added: where the return went'
        : 'Loop note could not be added',
    );
  }
  run.state.flagReasons = created.flagReasonsMatched;
  run.state.unmappedReasons = created.unmappedReasons;
  if (created.unmappedReasons.length > 0) {
    run.record(`unmapped reasons left out: ${created.unmappedReasons.join(', ')}`);
  }
  const finished = created.statusId === FINALE_COMPLETED || created.statusId === 'RETURN_CANCELLED';
  if (created.madeByEarlierRun) {
    run.record(`Finale return ${created.returnId} found, made by an earlier workflow of this return`);
    if (finished) {
      // That workflow saw it finish and updated Loop then: acting again would act twice.
      return run.finish(
        'already-handled',
        'done',
        `Finale return ${created.returnId} was already ${created.statusId === FINALE_COMPLETED ? 'completed' : 'cancelled'}: an earlier workflow of this return handled it, so nothing is done in Loop`,
      );
    }
  } else {
    run.record(
      `Finale return ${created.returnId} ${created.kind === 'found' ? 'found (created earlier)' : 'created'}` +
        (facilityName === undefined ? '' : ` at ${facilityName}`),
    );
    const { receivedAt } = run.carry;
    if (receivedAt !== undefined) appMetrics.returnDrained((Date.now() - receivedAt) / 1000);
  }
  if (finished) run.carry.finaleStatusId = created.statusId;
  run.carry.phase = 'await-completion';
  return undefined;
}

function create(run: ReturnRun, snapshot: LoopReturn, order: Order) {
  // A retry reads the return from Loop again, so data corrected there is used.
  const firstTry = !run.carry.createTried;
  run.carry.createTried = true;
  return call(
    activities.createReturnInFinale,
    createOptions,
    `Create the Finale return for ${run.loopReturnId}`,
    {
      ...run.ids,
      ...(firstTry ? { loopReturn: snapshot } : {}),
      orderUrl: order.orderUrl,
      productUrls: order.productUrls,
      lineFixes: run.state.lineFixes ?? [],
      firstTry,
      ...(run.features.destinationsAndReceipts ? { routeByDestination: true } : {}),
    },
  );
}

/** Nothing is created in Finale and Loop is left alone; the timeline says why. */
function skipped(run: ReturnRun, why: string): ReturnState {
  return run.finish('skipped', 'skipped', why);
}

function notOpen(run: ReturnRun, loopState: string): ReturnState {
  if (loopState === 'cancelled') throw run.cancelledInLoop();
  return run.finish('not-open-in-loop', 'done', `The Loop return is ${loopState}, not open: nothing to do`);
}

/**
 * The order in Finale. One look first; an order not synced from Shopify yet is then looked for by a poll
 * (minutes at first, growing to hours) for the tenant's order window, after which the Loop return is
 * flagged once and every look that still misses it parks the return (backing off), until an operator
 * retries after fixing the sync or a re-check finds the order.
 */
async function findOrder(run: ReturnRun, loopReturn: LoopReturn): Promise<Order | NotHandled> {
  const { orderName } = loopReturn;
  // Each look routes by destination first (from the settings as they are then), so a return to a
  // destination not handled in Finale costs no Finale call, and a destination mapped meanwhile is followed.
  const destination = run.features.destinationsAndReceipts
    ? { destination: { id: loopReturn.destinationId } }
    : {};
  const look = () =>
    call(activities.findOrderInFinale, stepOptions, `Find order ${orderName} in Finale`, {
      tenantId: run.tenantId,
      orderName,
      ...destination,
    });
  while (!run.carry.orderMissingFlagged) {
    const first = await run.step(FIND_ORDER, look);
    if (first.found) return { orderUrl: first.orderUrl, productUrls: first.productUrls };
    if ('notHandledInFinale' in first) return first;
    const since = (run.carry.orderMissingSince ??= Date.now());
    const lookUntil = (run.carry.orderLookUntil ??= since + first.windowMs);
    run.state.lastError = {
      class: 'waiting',
      code: 'OrderNotFound',
      message: first.message,
      fix: 'New orders take a few minutes to sync from Shopify to Finale; this is retried automatically',
      step: FIND_ORDER,
      at: new Date().toISOString(),
    };
    run.describe(
      `Order ${orderName} is not in Finale yet; looking again automatically until ${new Date(lookUntil).toISOString()}`,
    );
    const polled = await run.step(FIND_ORDER, () => pollOrder(run, orderName, since, lookUntil));
    if (polled?.found) return { orderUrl: polled.orderUrl, productUrls: polled.productUrls };
    if (polled && 'notHandledInFinale' in polled) return polled;
    if (polled) {
      // The poll's last look has just missed it: flag, and park until a re-check or an operator's retry.
      await run.flagInLoop(orderMissingMessage(orderName, polled.windowMs));
      run.carry.orderMissingFlagged = true;
      const issue = issueFrom(orderMissing(orderName, polled), FIND_ORDER, new Date().toISOString());
      if (issue) await run.park(issue);
    }
  }
  return run.step(FIND_ORDER, async (): Promise<Order | NotHandled> => {
    const again = await look();
    if (again.found) return { orderUrl: again.orderUrl, productUrls: again.productUrls };
    if ('notHandledInFinale' in again) return again;
    throw orderMissing(orderName, again);
  });
}

/** The order is still not in Finale after the window: a data problem someone must fix in the sync. */
function orderMissing(orderName: string, look: { windowMs: number; recheckAfterMs: number }) {
  return ApplicationFailure.create({
    message: orderMissingMessage(orderName, look.windowMs),
    type: 'OrderNotFound',
    nonRetryable: true,
    details: [
      {
        class: 'data',
        code: 'OrderNotFound',
        fix: 'Check that the order synced from Shopify to Finale, then retry this return',
        recheckAfterMs: look.recheckAfterMs,
      } satisfies IssueDetails,
    ],
  });
}

const FIND_ORDER = 'find order in Finale';

const orderMissingMessage = (orderName: string, windowMs: number) =>
  `Order ${orderName} not found in Finale after ${Math.round(windowMs / 3_600_000)} h — check the Shopify→Finale sync`;

/** The poll's answer, or undefined when an operator's retry (or a Loop change) asks for a fresh look now. */
async function pollOrder(run: ReturnRun, orderName: string, since: number, lookUntil: number) {
  run.acceptRetries(true);
  const woke = await run.waitForNudge({
    summary: `Look for order ${orderName} again`,
    until: () => run.carry.retryRequested === true,
    poll: () =>
      call(activities.findOrderInFinale, pollOptions, `Look for order ${orderName} until it syncs`, {
        tenantId: run.tenantId,
        orderName,
        poll: { ...run.pollStart(since), windowLeftMs: lookUntil - Date.now() },
      }),
  });
  run.acceptRetries(false);
  run.carry.retryRequested = false;
  if (woke.kind === 'poll-failed') throw woke.error;
  return woke.kind === 'polled' ? woke.value : undefined;
}
