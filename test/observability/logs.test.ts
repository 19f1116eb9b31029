// Structured logs carry the tenant and Loop return ID: pino lines written inside an activity (through the
// log context), the SDK's activity logger, and SDK/workflow lines identified by their workflow ID.
import { Writable } from 'node:stream';
import { log as activityLog } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { issueFailure } from '../../activities/failures.ts';
import {
  failureClassOf,
  observabilityActivityInterceptor,
} from '../../observability/activity-interceptor.ts';
import { logFieldsFromWorkflowId } from '../../observability/log-context.ts';
import { createLogger } from '../../observability/logger.ts';
import { temporalLoggerFor } from '../../observability/temporal-logger.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug' }, destination), lines };
}

describe('log fields', () => {
  it('reads tenant and Loop return ID from workflow IDs', () => {
    expect(logFieldsFromWorkflowId('return/acme-outdoor/6042537')).toEqual({
      tenantId: 'acme-outdoor',
      loopReturnId: '6042537',
    });
    expect(logFieldsFromWorkflowId('sweeper/acme-outdoor')).toEqual({ tenantId: 'acme-outdoor' });
    expect(logFieldsFromWorkflowId('something-else')).toEqual({});
    expect(logFieldsFromWorkflowId(undefined)).toEqual({});
  });

  it('writes the type and message of a failure the SDK logs under `error`', () => {
    const { logger, lines } = capturingLogger();
    temporalLoggerFor(logger).warn('Activity failed', {
      error: ApplicationFailure.retryable('Finale is not answering', 'FinaleUnavailable'),
      workflowId: 'return/acme-outdoor/6042537',
    });
    expect(lines[0]).toMatchObject({
      msg: 'Activity failed',
      loopReturnId: '6042537',
      error: { type: 'ApplicationFailure', message: 'Finale is not answering' },
    });
  });

  it('tags every line an activity writes, through pino and through the SDK logger', async () => {
    const { logger, lines } = capturingLogger();
    const env = new MockActivityEnvironment(
      { activityType: 'resolveOrder', workflowExecution: { workflowId: 'return/acme/777', runId: 'run-1' } },
      { logger: temporalLoggerFor(logger), interceptors: [observabilityActivityInterceptor] },
    );
    await env.run(
      async (_input: { tenantId: string; loopReturnId: string }) => {
        logger.info({ orderName: '#1001' }, 'looking up the order');
        activityLog.info('SDK activity log line');
      },
      { tenantId: 'acme', loopReturnId: '777' },
    );
    await new Promise((resolve) => setImmediate(resolve));

    const pinoLine = lines.find((l) => l.msg === 'looking up the order');
    expect(pinoLine).toMatchObject({ tenantId: 'acme', loopReturnId: '777', orderName: '#1001' });
    const sdkLine = lines.find((l) => l.msg === 'SDK activity log line');
    expect(sdkLine).toMatchObject({ tenantId: 'acme', loopReturnId: '777', activityType: 'resolveOrder' });
    // Outside the activity nothing is bound.
    logger.info('after');
    expect(lines.find((l) => l.msg === 'after')).not.toHaveProperty('tenantId');
  });

  it('forwards SDK lines at their level, with IDs from the workflow ID and secrets redacted', () => {
    const { logger, lines } = capturingLogger();
    const sdk = temporalLoggerFor(logger);
    sdk.warn('sweep pass failed', { workflowId: 'sweeper/acme', apiKey: 'k-123' });
    sdk.debug('task', { workflowId: 'return/acme/1' });
    expect(lines[0]).toMatchObject({ level: 40, tenantId: 'acme', apiKey: '[redacted]' });
    expect(lines[1]).toMatchObject({ level: 20, tenantId: 'acme', loopReturnId: '1' });
  });
});

describe('failure classes of activity attempts', () => {
  it('uses the issue class the workflow will see, or says what else the failure was', () => {
    const issue = (cls: 'waiting' | 'config' | 'data') =>
      issueFailure(
        'x',
        cls === 'config'
          ? { class: cls, code: 'FacilityNotFound', fix: 'fix it' }
          : { class: cls, code: 'Code', fix: 'fix it' },
      );
    expect(failureClassOf(issue('config'))).toBe('config');
    expect(failureClassOf(issue('data'))).toBe('data');
    expect(failureClassOf(issue('waiting'))).toBe('waiting');
    expect(failureClassOf(ApplicationFailure.retryable('no details'))).toBe('unexpected');
    expect(failureClassOf(new CancelledFailure('cancelled'))).toBe('cancelled');
    expect(failureClassOf(new TypeError('bug'))).toBe('unexpected');
  });
});
