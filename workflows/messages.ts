// The return workflow's public contract: its input, its state as operators see it, and the messages it
// accepts. Message payloads carry a version so a later shape can be added without breaking running returns.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompletionAction } from '../config/tenant-settings.ts';
import type { LoopReturn } from '../integrations/loop/loop-return.ts';
import type { ReceiptDifference, CreatedLine, ReceivedLine } from './receipt-check.ts';
import type { ReturnPlan } from './return-plan.ts';

export type ReturnStage =
  | 'received'
  | 'resolving'
  | 'creating-finale-return'
  | 'awaiting-finale-completion'
  | 'updating-loop'
  | 'done'
  | 'needs-attention'
  /** Held while the tenant is paused; continues where it was once the tenant is resumed. */
  | 'paused'
  | 'cancelled'
  /** Its Loop destination is not handled in Finale: nothing was created there and Loop was left alone. */
  | 'skipped';

/** waiting = will fix itself; config = the merchant must change a setting; data = a record is wrong. */
export type IssueClass = 'waiting' | 'config' | 'data';

/** An expected business problem, as an activity reports it in its failure details. */
export interface IssueDetails {
  class: IssueClass;
  /** Stable code, e.g. `FacilityNotFound`. */
  code: string;
  /** What to do about it, in words a merchant or operator can act on. */
  fix: string;
  /** The tenant's automatic re-check interval when the issue was raised (the workflow reads no settings). */
  recheckAfterMs?: number;
  /** The tenant is paused: the return holds, without alerting anyone, until it is resumed. */
  hold?: 'tenant-paused';
  /** Loop lines without a SKU that an operator can give a Finale product (or continue without). */
  lines?: LineWithoutSku[];
  /**
   * A 429, or the merchant's shared budget running dry: the API is busy, not down. The step waits and tries
   * again without parking the return, unless the API has been busy for an hour.
   */
  rateLimited?: true;
}

export interface LineWithoutSku {
  /** Loop's line item ID. */
  id: string;
  title: string;
}

export interface ReturnIssue extends IssueDetails {
  message: string;
  /** The step that failed, e.g. `resolve facility`. */
  step: string;
  at: string;
}

export interface TimelineEntry {
  at: string;
  stage: ReturnStage;
  event: string;
}

export type ReturnOutcome =
  | 'processed'
  | 'closed'
  | 'flagged'
  | 'cancelled'
  | 'already-closed-in-loop'
  /** An earlier workflow of this return already saw its Finale return finished: nothing more to do. */
  | 'already-handled'
  /** Started for a late webhook, but Loop says the return is no longer open: nothing to do. */
  | 'not-open-in-loop'
  /** Sent to a Loop destination the tenant does not handle in Finale. */
  | 'skipped';

export interface FinaleReturnRef {
  returnId: string;
  returnUrl: string;
  /** The Finale location it was created at (chosen by the return's Loop destination). */
  facilityName?: string;
}

/** What the warehouse received, compared with what the Finale return was created with. */
export interface ReceiptCheck {
  /** Each product whose received units differ; empty when the warehouse received exactly what was created. */
  differences: ReceiptDifference[];
  at: string;
}

export interface ManualCompletion {
  by: string;
  reason: string;
  at: string;
}

/** An operator's decision about Loop lines that have no SKU, kept for the record. */
export interface LineFix {
  /** The Finale product (ID, i.e. the SKU in Finale) a line is returned as; absent when the line is left out. */
  productId?: string;
  lineItemId?: string;
  /** Continue without every line that still has no SKU. */
  skipLinesWithoutSku?: true;
  by: string;
  at: string;
}

/** What the `state` query returns. */
export interface ReturnState {
  version: 1;
  tenantId: string;
  loopReturnId: string;
  orderName?: string;
  stage: ReturnStage;
  /** One line: what the return is waiting for right now. */
  waitingFor: string;
  finaleReturn?: FinaleReturnRef;
  completionAction?: CompletionAction;
  flagReasons: string[];
  unmappedReasons: string[];
  lastError?: ReturnIssue;
  /** Attempts of the current step (reset when a step succeeds). */
  attempts: number;
  manualCompletion?: ManualCompletion;
  /** Operators' fixes of lines without a SKU, oldest first. */
  lineFixes?: LineFix[];
  /** Set once Finale completed the return and its lines were compared with what was created. */
  receipt?: ReceiptCheck;
  outcome?: ReturnOutcome;
  timeline: TimelineEntry[];
}

/** What v1 carried across continue-as-new (from its completion wait only); v2 continues from it. */
export interface ReturnResumePoint {
  plan: ReturnPlan;
  finaleReturn: FinaleReturnRef;
  state: ReturnState;
}

/** The part of a return's life a workflow run is in. */
export type ReturnPhase = 'create-in-finale' | 'await-completion' | 'update-loop';

/** Everything a v2 run passes to the next across continue-as-new, so any wait goes on where it was. */
export interface ReturnCarry {
  state: ReturnState;
  phase: ReturnPhase;
  /** When the return was received (epoch ms); absent in carries of runs before it was recorded. */
  receivedAt?: number;
  /** Finale's final status once known (`RETURN_COMPLETED` or `RETURN_CANCELLED`). */
  finaleStatusId?: string;
  /** The lines the Finale return was created with, to compare with what the warehouse received. */
  created?: CreatedLine[];
  /** The completed Finale return's lines, when the report or the fallback check carried them. */
  received?: ReceivedLine[];
  /** The order in Finale, once found: a later run goes straight on to the create. */
  order?: { orderUrl: string; productUrls: Record<string, string> };
  /** The create was tried before: a Finale return found now is this workflow's own. */
  createTried?: boolean;
  /** Until when an order not yet synced from Shopify is looked for, and since when (epoch ms). */
  orderLookUntil?: number;
  orderMissingSince?: number;
  /** The Loop return was flagged because its order never reached Finale (never flagged twice). */
  orderMissingFlagged?: boolean;
  /** When each back-off began (epoch ms), so it continues rather than restarts in the next run. */
  parkedSince?: number;
  pausedSince?: number;
  awaitingSince?: number;
  /** Since when the step in progress has found its API busy (rate limited), until a step succeeds. */
  rateLimitedSince?: number;
  /** The issue a person was alerted about and not yet told it recovered. */
  incident?: ReturnIssue;
  /** Nudges received but not yet acted on. */
  retryRequested?: boolean;
  loopChanged?: boolean;
}

/** Who started the workflow, which says whether its Loop snapshot is current. */
export type ReturnOrigin = 'return.created' | 'sweeper' | 'late-webhook';

export interface ReturnWorkflowInput {
  version: 1;
  tenantId: string;
  loopReturnId: string;
  /** The PII-free return as the webhook or sweeper saw it; fetched from Loop when absent. */
  loopReturn?: LoopReturn;
  /** Absent on returns started before origins were recorded: treated as `return.created`. */
  origin?: ReturnOrigin;
  resume?: ReturnResumePoint;
  carry?: ReturnCarry;
  /**
   * Continue as new in a wait once the run's history passes this many events (default a few thousand, or
   * when Temporal suggests it). Tests set it low to exercise continue-as-new from every wait.
   */
  continueAsNewAfterEvents?: number;
}

export interface RetryRequest {
  version: 1;
  by?: string;
}

export interface LoopReturnChanged {
  version: 1;
  /** Webhook trigger, e.g. `return.updated`; the workflow re-reads the return rather than trusting order. */
  trigger: string;
  state?: string;
}

export interface FinaleReturnChanged {
  version: 1;
  statusId: string;
  lastUpdatedDate?: string;
  /** The changed Finale return: a report about another return with the same returnId is ignored. */
  returnUrl?: string;
  /** Its lines, when the sweeper's collection read carried them (what the warehouse received). */
  items?: ReceivedLine[];
}

export interface MarkComplete {
  version: 1;
  by: string;
  reason: string;
}

/** An operator's fix of Loop lines without a SKU: a Finale product for some, or continue without them. */
export interface FixLines {
  version: 1;
  by: string;
  lines?: { lineItemId: string; productId: string }[];
  skipLinesWithoutSku?: boolean;
}

export interface TenantResumed {
  version: 1;
}

export const stateQuery = defineQuery<ReturnState>('state');
/** Fire-and-forget retry, e.g. from the Web UI's signal form. */
export const retrySignal = defineSignal<[RetryRequest]>('retry');
/** Retry that answers with the state once accepted; rejected when nothing is waiting for a retry. */
export const retryUpdate = defineUpdate<ReturnState, [RetryRequest]>('retryNow');
export const loopReturnChangedSignal = defineSignal<[LoopReturnChanged]>('loopReturnChanged');
export const finaleReturnChangedSignal = defineSignal<[FinaleReturnChanged]>('finaleReturnChanged');
/** The warehouse finished the return outside Finale: continue as if Finale had completed it. */
export const markCompleteUpdate = defineUpdate<ReturnState, [MarkComplete]>('markComplete');
/** Lines without a SKU: give them Finale products or leave them out, then the return resumes. */
export const fixLinesUpdate = defineUpdate<ReturnState, [FixLines]>('fixLines');
/** The tenant was resumed: a return held while it was paused continues now. */
export const tenantResumedSignal = defineSignal<[TenantResumed]>('tenantResumed');
