import { describe, expect, it } from 'vitest';
import { finaleErrorMessage, readFinaleBody } from '../../../integrations/finale/response-body.ts';

describe('readFinaleBody', () => {
  it('accepts ordinary JSON records and collections', () => {
    expect(readFinaleBody('{"returnUrl":"/a/api/return/1","errors":[]}')).toEqual({
      ok: true,
      value: { returnUrl: '/a/api/return/1', errors: [] },
    });
    expect(readFinaleBody('{"productId":["A"]}')).toEqual({ ok: true, value: { productId: ['A'] } });
  });

  it.each([
    ['a plain string', 'Order is locked', 'Order is locked'],
    ['a JSON string', '"Order is locked"', 'Order is locked'],
    ['success: false', '{"success":false,"error":"Order is locked"}', 'Order is locked'],
    ['success: false without a message', '{"success":false}', 'Finale reported failure (success: false)'],
    ['a non-empty errorMessage', '{"errorMessage":"Order is locked","returnUrl":null}', 'Order is locked'],
    [
      'a list of error objects',
      '{"errors":[{"message":"bad qty"},{"errorMessage":"bad sku"}]}',
      'bad qty; bad sku',
    ],
    ['a list of error strings', '{"errors":["bad qty"]}', 'bad qty'],
  ])('reads %s as a failure with its message', (_shape, body, message) => {
    expect(readFinaleBody(body)).toEqual({ ok: false, message });
  });

  it('reads an empty body as a failure', () => {
    expect(readFinaleBody('  ')).toEqual({ ok: false, message: 'Finale sent an empty response' });
  });

  it('truncates very long messages', () => {
    const result = readFinaleBody('x'.repeat(2_000));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message.length).toBeLessThan(600);
  });
});

describe('finaleErrorMessage', () => {
  it.each([
    ['plain text', 'Rate limit exceeded', 'Rate limit exceeded'],
    ['errorMessage', '{"errorMessage":"returnId too long"}', 'returnId too long'],
    ['error', '{"error":"Bad filter"}', 'Bad filter'],
    ['message', '{"message":"Nope"}', 'Nope'],
    ['errors', '{"errors":["one","two"]}', 'one; two'],
    ['a JSON string', '"Denied"', 'Denied'],
  ])('finds the message in %s', (_shape, body, message) => {
    expect(finaleErrorMessage(body)).toBe(message);
  });

  it('has nothing to say for an empty body or one without a message', () => {
    expect(finaleErrorMessage('')).toBeUndefined();
    expect(finaleErrorMessage('{"status":500}')).toBeUndefined();
  });
});
