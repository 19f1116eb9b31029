// An activity context without a Temporal server, as the worker gives one, whose SDK log lines go to the run's
// log file rather than the test report.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { writeRunLog } from './run-log.ts';

export const activityEnvironment = () =>
  new MockActivityEnvironment(undefined, { logger: new DefaultLogger('INFO', writeRunLog) });
