import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../temporal/dev-server.ts';
import { freePort } from '../support/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

/**
 * A finished workflow can only be deleted (as retention does) once the server has recorded that its close
 * tasks ran, and it records that every 30 s by default: a test's deletion would then take up to a minute.
 * Temporal's own deletion tests record it every second, as these do.
 */
const recordQueueProgressEverySecond = {
  'history.transferProcessorUpdateAckInterval': '1s',
  'history.visibilityProcessorUpdateAckInterval': '1s',
};

/** One real Temporal dev server (in-memory, headless) for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDevServer({
    port: await freePort(),
    dynamicConfig: recordQueueProgressEverySecond,
  });
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
