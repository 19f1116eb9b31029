// A deliberately incompatible edit of the return workflow: a timer added before its first activity, as a
// careless change to a workflow with returns in flight would. Replaying a recorded history must fail.
import { sleep } from '@temporalio/workflow';
import type { ReturnWorkflowInput } from '../../../workflows/messages.ts';
import { returnWorkflow as released } from '../../../workflows/return-workflow.ts';

export async function returnWorkflow(input: ReturnWorkflowInput) {
  await sleep('1 second');
  return released(input);
}
