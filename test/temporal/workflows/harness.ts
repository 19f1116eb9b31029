// Test-only workflows that prove the harness: a long timer, and a small activity-driven workflow to replay.
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface HarnessActivities {
  greet(name: string): Promise<string>;
}

const { greet } = proxyActivities<HarnessActivities>({ startToCloseTimeout: '10 seconds' });

export async function waitThreeDays(): Promise<string> {
  await sleep('3 days');
  return 'awake';
}

export async function greetTwice(name: string): Promise<string[]> {
  const first = await greet(name);
  await sleep('1 second');
  const second = await greet(`${name} again`);
  return [first, second];
}
