// The baseline for `npm run bench`: a workflow that runs the same number of activities as a return's happy
// path, each doing nothing, so the difference in throughput is the cost of the real work.
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: number): Promise<number>;
}

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

export async function bareWorkflow(activityCount: number): Promise<number> {
  let done = 0;
  for (let step = 0; step < activityCount; step++) done += (await noop(step)) === step ? 1 : 0;
  return done;
}
