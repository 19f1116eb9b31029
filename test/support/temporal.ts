import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { resolveTemporalTestServer } from '../../temporal/binaries.ts';
import { registerSearchAttributes } from '../../temporal/register-search-attributes.ts';

/** Client and native connection to the run-wide dev server started by the global setup. */
export async function connectToDevServer() {
  const address = inject('temporalAddress');
  if (!address) {
    throw new Error(
      'No Temporal dev server in this vitest project: list this test file in serverTests (vitest.config.ts)',
    );
  }
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    connection,
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** A fresh time-skipping test server (native binary), with the project's search attributes registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalTestServer() } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID()}`;

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'taskQueue'>;

/** Creates a worker on a unique task queue. */
export async function createTestWorker(connection: NativeConnection, options: TestWorkerOptions) {
  const taskQueue = uniqueTaskQueue('test');
  const worker = await Worker.create({ ...options, connection, taskQueue });
  return { worker, taskQueue };
}
