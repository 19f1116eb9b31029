// Entry point of the workflow bundle: every workflow the worker runs.
export { returnWorkflow } from './return-workflow.ts';
export { tenantSweeperWorkflow } from './tenant-sweeper.ts';
