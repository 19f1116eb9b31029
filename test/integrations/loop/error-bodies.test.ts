import { describe, expect, it } from 'vitest';
import { describeErrorBody, loopErrorMessage } from '../../../integrations/loop/error-bodies.ts';
import { DEFAULT_LOOP_RETRY_AFTER_MS, loopRetryAfterMs } from '../../../integrations/loop/retry-after.ts';

describe('describeErrorBody', () => {
  it.each([
    [
      {
        errors: {
          message: 'Return is closed and therefore cannot be processed.',
          code: 'UNPROCESSABLE_RETURN',
        },
      },
      { message: 'Return is closed and therefore cannot be processed.', code: 'UNPROCESSABLE_RETURN' },
    ],
    [
      { message: 'Return is cancelled and therefore cannot be processed.' },
      { message: 'Return is cancelled and therefore cannot be processed.', code: undefined },
    ],
    [
      { content: 'Return is flagged and cannot be processed.' },
      { message: 'Return is flagged and cannot be processed.', code: undefined },
    ],
    [{ error: { message: 'Return not found.' } }, { message: 'Return not found.', code: undefined }],
    [
      { error: { code: '401', http_code: 'GEN-UNAUTHORIZED', message: 'Unauthorized.' } },
      { message: 'Unauthorized.', code: 'GEN-UNAUTHORIZED' },
    ],
    [{ errors: { code: 'NOT_FOUND' } }, { message: undefined, code: 'NOT_FOUND' }],
    [
      { code: 'NOT_FOUND', message: 'The destination could not be found.' },
      { message: 'The destination could not be found.', code: 'NOT_FOUND' },
    ],
    [
      { errors: { content: ['The content field is required.'] } },
      { message: 'content: The content field is required.', code: undefined },
    ],
  ])('reads %j', (body, expected) => {
    expect(describeErrorBody(body)).toEqual(expected);
  });

  it.each([['true'], [true], [[]], [{ id: 1, state: 'open' }], [null]])('finds no error in %j', (value) => {
    expect(describeErrorBody(value)).toBeUndefined();
  });

  it('gives HttpClient the message, or the code when there is none', () => {
    expect(loopErrorMessage('{"errors":{"code":"NOT_FOUND"}}')).toBe('NOT_FOUND');
    expect(loopErrorMessage('{"message":"Too Many Attempts."}')).toBe('Too Many Attempts.');
    expect(loopErrorMessage('<html>Bad gateway</html>')).toBeUndefined();
  });
});

describe('loopRetryAfterMs', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');

  it('reads seconds and HTTP dates, never negative', () => {
    expect(loopRetryAfterMs({ 'retry-after': '30' }, now)).toBe(30_000);
    expect(loopRetryAfterMs({ 'retry-after': ['2'] }, now)).toBe(2_000);
    expect(loopRetryAfterMs({ 'retry-after': 'Fri, 01 May 2026 12:00:10 GMT' }, now)).toBe(10_000);
    expect(loopRetryAfterMs({ 'retry-after': 'Fri, 01 May 2026 11:00:00 GMT' }, now)).toBe(0);
  });

  it('falls back to 5 s when the header is absent or unreadable', () => {
    expect(DEFAULT_LOOP_RETRY_AFTER_MS).toBe(5_000);
    expect(loopRetryAfterMs({}, now)).toBe(5_000);
    expect(loopRetryAfterMs({ 'retry-after': 'soon' }, now)).toBe(5_000);
  });
});
