// Workflow interceptors bundled with the workflows (WorkerOptions.interceptors.workflowModules, or
// bundleWorkflowCode's workflowInterceptorModules for a prebuilt bundle). Runs inside the sandbox: imports
// only @temporalio/workflow, and reports through a sink that is skipped during replay.
import {
  ContinueAsNew,
  proxySinks,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import type { AppSinks } from './app-sinks.ts';

const { appMetrics } = proxySinks<AppSinks>();

/** Counts each return workflow's final outcome (`processed`, `flagged`, …, or `failed`). */
class ReturnOutcomeInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    if (workflowInfo().workflowType !== 'returnWorkflow') return next(input);
    try {
      const result = await next(input);
      const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
      appMetrics.returnFinished(typeof outcome === 'string' ? outcome : 'unknown');
      return result;
    } catch (error) {
      if (!(error instanceof ContinueAsNew)) appMetrics.returnFinished('failed');
      throw error;
    }
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new ReturnOutcomeInterceptor()],
});
