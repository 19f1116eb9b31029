// A deliberately incompatible edit of `greetTwice`: the timer moved before the first activity, as a careless
// change to a running workflow would. Replaying an old history against it must fail.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { HarnessActivities } from './harness.ts';

const { greet } = proxyActivities<HarnessActivities>({ startToCloseTimeout: '10 seconds' });

export async function greetTwice(name: string): Promise<string[]> {
  await sleep('1 second');
  const first = await greet(name);
  const second = await greet(`${name} again`);
  return [first, second];
}
