// The return workflow's public contract: its input, its state as operators see it, and the messages it
// accepts. Message payloads carry a version so a later shape can be added without breaking running returns.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompletionAction } from '../config/tenant-settings.ts';
import type { LoopReturn } from '../integrations/loop/loop-return.ts';
import type { ReturnPlan } from './return-plan.ts';

export type ReturnStage =
  | 'received'
  | 'resolving'
  | 'creating-finale-return'
  | 'awaiting-finale-completion'
  | 'updating-loop'
  | 'done'
  | 'needs-attention'
  | 'cancelled';

/** waiting = will fix itself; config = the merchant must change a setting; data = a record is wrong. */
export type IssueClass = 'waiting' | 'config' | 'data';

/** An expected business problem, as an activity reports it in its failure details. */
export interface IssueDetails {
  class: IssueClass;
  /** Stable code, e.g. `FacilityNotFound`. */
  code: string;
  /** What to do about it, in words a merchant or operator can act on. */
  fix: string;
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

export type ReturnOutcome = 'processed' | 'closed' | 'flagged' | 'cancelled' | 'already-closed-in-loop';

export interface FinaleReturnRef {
  returnId: string;
  returnUrl: string;
}

export interface ManualCompletion {
  by: string;
  reason: string;
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
  outcome?: ReturnOutcome;
  timeline: TimelineEntry[];
}

/** Carried across continue-as-new so a long wait keeps a bounded history. */
export interface ReturnResumePoint {
  plan: ReturnPlan;
  finaleReturn: FinaleReturnRef;
  state: ReturnState;
}

export interface ReturnWorkflowInput {
  version: 1;
  tenantId: string;
  loopReturnId: string;
  /** The PII-free return as the webhook or sweeper saw it; fetched from Loop when absent. */
  loopReturn?: LoopReturn;
  resume?: ReturnResumePoint;
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
}

export interface MarkComplete {
  version: 1;
  by: string;
  reason: string;
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
