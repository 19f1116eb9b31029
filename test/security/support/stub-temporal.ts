// A Temporal client stand-in that records what the gateway asks of it, for tests that count workflow starts
// (thousands of requests in seconds) rather than run workflows. Only the calls the gateway makes exist.
import type { Client } from '@temporalio/client';

export interface RecordedStart {
  kind: 'start' | 'signalWithStart';
  workflowId: string;
}

export function stubTemporal() {
  const starts: RecordedStart[] = [];
  const record =
    (kind: RecordedStart['kind']) => async (_workflow: unknown, options: { workflowId: string }) => {
      starts.push({ kind, workflowId: options.workflowId });
      return { workflowId: options.workflowId };
    };
  const client = {
    withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call(),
    workflow: {
      start: record('start'),
      signalWithStart: record('signalWithStart'),
      // The onboarding test page lists a tenant's returns: none here.
      list: async function* () {},
    },
    connection: { workflowService: { getSystemInfo: async () => ({}) } },
  } as unknown as Client;
  return { client, starts, taskQueue: 'stub-task-queue' };
}
