import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { returnShape, toLoopReturn, type LoopReturn } from './loop-return.ts';
import { describeIssues, optionalLoopId } from './schemas.ts';
import { returnTriggers, type LoopReturnTrigger } from './webhook-topics.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks `X-Loop-Signature` (base64 HMAC-SHA256 of the body, keyed with the shop's webhook secret).
 * Pass the exact bytes received: Loop signs PHP-encoded JSON (escaped slashes), so a re-serialised body
 * never matches. Constant-time; false for a missing or malformed header and for an empty secret.
 */
export function verifyLoopSignature(
  rawBody: Buffer | string,
  signatureHeader: string | undefined,
  secret: string,
): boolean {
  const signature = signatureHeader?.trim();
  if (!signature || !secret || !BASE64.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface LoopReturnWebhook {
  topic: 'return';
  trigger: LoopReturnTrigger;
  shopId: string | null;
  return: LoopReturn;
}

/** A webhook body that is not a return event this integration understands. */
export class LoopWebhookPayloadError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid Loop return webhook: ${issues.join('; ')}`);
    this.name = 'LoopWebhookPayloadError';
  }
}

const returnWebhookSchema = z
  .object({
    ...returnShape,
    topic: z.literal('return'),
    trigger: z.enum(returnTriggers),
    shop_id: optionalLoopId,
  })
  .transform((body): LoopReturnWebhook => ({
    topic: body.topic,
    trigger: body.trigger,
    shopId: body.shop_id,
    return: toLoopReturn(body),
  }));

/** Parses an already JSON-decoded `return` topic webhook body into the PII-free return. */
export function parseReturnWebhook(json: unknown): LoopReturnWebhook {
  const result = returnWebhookSchema.safeParse(json);
  if (!result.success) throw new LoopWebhookPayloadError(describeIssues(result.error));
  return result.data;
}
