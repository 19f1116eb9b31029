import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../temporal/dev-server.ts';
import { freePort } from '../support/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

/** One real Temporal dev server (in-memory, headless) for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDevServer({ port: await freePort() });
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
