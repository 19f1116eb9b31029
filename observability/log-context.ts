// Which tenant and Loop return the code running right now works for. Bound around each activity, and
// mixed into every log line the process writes from inside it, so an operator can filter logs by return.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogFields {
  tenantId?: string;
  loopReturnId?: string;
}

export const logContext = new AsyncLocalStorage<LogFields>();

/** Tenant and Loop return ID from a workflow ID (`return/<tenant>/<loop id>` or `sweeper/<tenant>`). */
export function logFieldsFromWorkflowId(workflowId: unknown): LogFields {
  if (typeof workflowId !== 'string') return {};
  const match = /^(?:return\/([^/]+)\/([^/]+)|sweeper\/([^/]+))$/.exec(workflowId);
  if (!match) return {};
  return match[3] !== undefined ? { tenantId: match[3] } : { tenantId: match[1], loopReturnId: match[2] };
}

/** Tenant and Loop return ID from an activity's first argument, which by convention carries both. */
export function logFieldsFromArgs(args: readonly unknown[]): LogFields {
  const first = args[0];
  if (typeof first !== 'object' || first === null) return {};
  const { tenantId, loopReturnId } = first as Record<string, unknown>;
  return {
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
    ...(typeof loopReturnId === 'string' ? { loopReturnId } : {}),
  };
}
