// Stands in for '@temporalio/worker' in test runs (vitest.config.ts aliases it here): the same module, whose
// runtime, once a test creates it, logs into the run's log file instead of stderr: the SDK's own lines
// (worker state, activity failures, workflow bundling) and, forwarded, the native core's warnings. Only
// files that use the SDK load it, so the others start no slower than without it.
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker/lib/index.js';
import { writeRunLog } from '../support/run-log.ts';

export * from '@temporalio/worker/lib/index.js';

Runtime.defaultOptions = {
  logger: new DefaultLogger('INFO', writeRunLog),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
  },
};
