import { z } from 'zod';

/**
 * Wire schemas for Loop responses. `z.object` keeps unknown fields out of the result without rejecting
 * them, because Loop adds fields at any time. IDs arrive as strings or numbers depending on endpoint and
 * age of the payload, so every ID is normalised to a string.
 */
export const loopId = z.union([z.string().trim().min(1), z.number().int()]).transform(String);

/** An ID that may be missing, null or `""`: normalised to a string or null. */
export const optionalLoopId = z
  .union([z.string(), z.number().int()])
  .nullish()
  .transform((v) => (v === null || v === undefined || String(v).trim() === '' ? null : String(v).trim()));

/** Free text that Loop sometimes sends as null. */
export const loopText = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

export const destinationSchema = z.object({
  id: loopId,
  name: z.string(),
  type: z.string().nullish(),
  enabled: z.boolean().nullish(),
  provider_location_id: optionalLoopId,
});

export const destinationsResponseSchema = z.object({ destinations: z.array(destinationSchema) });

export const webhookSubscriptionSchema = z.object({
  id: loopId,
  topic: z.string(),
  trigger: z.string(),
  url: z.string(),
  status: z.enum(['active', 'inactive']),
});

export const webhooksResponseSchema = z.object({ webhooks: z.array(webhookSubscriptionSchema) });

/** `path: message` lines that say what was wrong without echoing values (which may hold PII). */
export const describeIssues = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
