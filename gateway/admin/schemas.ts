// The admin API's contract: every route's path parameters, body and answers as zod schemas. The routes
// validate and serialise with them, the OpenAPI document is generated from them, and the CLI's client
// (cli/admin-api.ts) takes its types from them. Imports nothing of Fastify or Temporal, so the CLI can too.
import { z } from 'zod';
import {
  completionActions,
  storedTenantSettingsSchema,
  tenantIdSchema,
} from '../../config/tenant-settings.ts';
import { ISSUE_CODE_PATTERN } from '../../workflows/issue-codes.ts';
import type { ReturnState, ReturnStage } from '../../workflows/messages.ts';

const text = (field: string, max: number) =>
  z
    .string({ error: `"${field}" is required, as text` })
    .trim()
    .min(1, { error: `"${field}" is required, as text` })
    .max(max, { error: `"${field}" must be at most ${max} characters` });

/** An ID that goes into a URL path or a workflow ID: letters, digits, "-" and "_" only. */
const pathId = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `${what} must be 1–64 letters, digits, "-" or "_"` });

// Path parameters

export const tenantParams = z.object({ tenantId: tenantIdSchema });
export const returnParams = tenantParams.extend({ loopReturnId: pathId('Loop return ID') });
export const inviteParams = z.object({ id: pathId('Invite ID') });

// Bodies (an empty POST body means `{}`: the defaults)

/** `by` names the operator in the return's timeline. */
export const retryBody = z.strictObject({ by: text('by', 200).optional() });
/** Every parked return of the tenant, or only those parked on one issue code. */
export const retryParkedBody = z.strictObject({
  code: z
    .string({ error: '"code" must be an issue code, as text' })
    .regex(ISSUE_CODE_PATTERN, { error: '"code" must be an issue code such as FacilityNotFound' })
    .optional(),
  by: text('by', 200).optional(),
});
export const markCompleteBody = z.strictObject({ by: text('by', 200), reason: text('reason', 1_000) });
/** Lines Loop sent without a SKU: each given its Finale product, or all left out. */
export const fixLinesBody = z
  .strictObject({
    by: text('by', 200),
    lines: z
      .array(
        z.strictObject({
          lineItemId: pathId('lineItemId'),
          productId: text('productId', 100),
        }),
      )
      .max(100, { error: 'at most 100 lines' })
      .optional(),
    skipLinesWithoutSku: z.boolean().optional(),
  })
  .refine((body) => (body.lines?.length ?? 0) > 0 || body.skipLinesWithoutSku === true, {
    error: 'Give "lines" (a Finale product for each line), or "skipLinesWithoutSku": true, or both',
  });
export const createInviteBody = z.strictObject({
  note: z.string().trim().max(500, { error: 'note must be at most 500 characters' }).optional(),
  tenantId: tenantIdSchema
    .optional()
    .describe(
      'Makes a link to change this existing tenant (the merchant types the Loop key and webhook secret ' +
        'again); without it, a link that sets up one new tenant',
    ),
  ttlHours: z
    .number({ error: 'ttlHours must be a number of hours' })
    .positive({ error: 'ttlHours must be more than 0' })
    .max(720, { error: 'ttlHours must be at most 720 (30 days)' })
    .default(72),
});

// Answers

/** Every 4xx and 5xx: what went wrong, and for a refused request, each problem as `field: problem`. */
export const errorAnswer = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.string()).optional(),
});

/** How many parked returns one batch operation matched and signalled to retry. */
export const retryParkedAnswer = z.object({
  tenantId: z.string(),
  code: z.string().nullable(),
  jobId: z.string().describe('The Temporal batch operation that signalled them'),
  matched: z.number().int().describe('Parked returns the batch matched'),
  nudged: z.number().int().describe('Of those, signalled to retry'),
  failed: z.number().int(),
  finished: z.boolean().describe('False when the batch was still running at the answer: counts are partial'),
});

/** Settings as stored: a tenant saved under older rules is still shown. */
export const tenantsAnswer = z.object({ tenants: z.array(storedTenantSettingsSchema) });
export const tenantAnswer = z.object({ tenant: storedTenantSettingsSchema });

/** Every stage of a return (the schema's check below keeps it in step with the workflow's). */
export const returnStages = [
  'received',
  'resolving',
  'creating-finale-return',
  'awaiting-finale-completion',
  'updating-loop',
  'done',
  'needs-attention',
  'paused',
  'cancelled',
  'skipped',
] as const satisfies readonly ReturnStage[];

/** The return workflow's `state` query answer (workflows/messages.ts), which the return routes pass on. */
export const returnStateSchema = z.object({
  version: z.literal(1),
  tenantId: z.string(),
  loopReturnId: z.string(),
  orderName: z.string().optional(),
  stage: z.enum(returnStages),
  waitingFor: z.string(),
  finaleReturn: z
    .object({ returnId: z.string(), returnUrl: z.string(), facilityName: z.string().optional() })
    .optional(),
  completionAction: z.enum(completionActions).optional(),
  flagReasons: z.array(z.string()),
  unmappedReasons: z.array(z.string()),
  lastError: z
    .object({
      class: z.enum(['waiting', 'config', 'data']),
      code: z.string(),
      fix: z.string(),
      message: z.string(),
      step: z.string(),
      at: z.string(),
      recheckAfterMs: z.number().optional(),
      hold: z.literal('tenant-paused').optional(),
      rateLimited: z
        .literal(true)
        .optional()
        .describe(
          'The API was busy (a 429 or its shared budget): waited out for an hour before the return parked',
        ),
      lines: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
    })
    .optional(),
  attempts: z.number(),
  manualCompletion: z.object({ by: z.string(), reason: z.string(), at: z.string() }).optional(),
  lineFixes: z
    .array(
      z.object({
        lineItemId: z.string().optional(),
        productId: z.string().optional(),
        skipLinesWithoutSku: z.literal(true).optional(),
        by: z.string(),
        at: z.string(),
      }),
    )
    .optional(),
  receipt: z
    .object({
      differences: z.array(
        z.object({
          product: z.string(),
          expected: z.number(),
          received: z.number(),
          line: z.string().describe('e.g. "TEE-BLK-M: expected 2, received 1"'),
        }),
      ),
      at: z.string(),
    })
    .describe('What the warehouse received compared with what was created, once Finale completed the return')
    .optional(),
  outcome: z
    .enum([
      'processed',
      'closed',
      'flagged',
      'cancelled',
      'already-closed-in-loop',
      'already-handled',
      'not-open-in-loop',
      'skipped',
    ])
    .optional(),
  timeline: z.array(z.object({ at: z.string(), stage: z.enum(returnStages), event: z.string() })),
});

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/**
 * Fails to compile when the workflow's state and this schema drift apart, so a field added to the state
 * is added here (and to the OpenAPI document) rather than stripped from the answer.
 */
const _returnStateInSync: Same<z.output<typeof returnStateSchema>, ReturnState> = true;

export const inviteStatuses = ['open', 'used', 'expired', 'revoked'] as const;

/** An invite as the admin API shows it: never its token, which exists only in the link handed out once. */
export const inviteSchema = z.object({
  id: z.string(),
  kind: z.enum(['create', 'change']).describe('Sets up a new tenant, or changes `tenantId`'),
  status: z.enum(inviteStatuses),
  tenantId: z.string().nullable(),
  note: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  usedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export const invitesAnswer = z.object({ invites: z.array(inviteSchema) });
/** The one answer that carries the onboarding link (and so its token). */
export const createdInviteAnswer = z.object({ id: z.string(), url: z.url(), expiresAt: z.iso.datetime() });

/** The gateway's dependency checks in full (the public /readyz says only ready or not ready). */
export const readinessAnswer = z.object({
  status: z.enum(['ready', 'not ready']),
  checkedAt: z.iso
    .datetime()
    .describe('When the checks ran: /readyz and this answer reuse them for a few seconds'),
  checks: z.record(
    z.string(),
    z.object({ ok: z.boolean(), error: z.string().optional().describe('Why the check failed') }),
  ),
});

export type ErrorAnswer = z.output<typeof errorAnswer>;
export type TenantsAnswer = z.output<typeof tenantsAnswer>;
export type TenantAnswer = z.output<typeof tenantAnswer>;
export type ReturnStateAnswer = z.output<typeof returnStateSchema>;
export type RetryBody = z.input<typeof retryBody>;
export type RetryParkedBody = z.input<typeof retryParkedBody>;
export type RetryParkedAnswer = z.output<typeof retryParkedAnswer>;
export type MarkCompleteBody = z.input<typeof markCompleteBody>;
export type FixLinesBody = z.input<typeof fixLinesBody>;
export type CreateInviteBody = z.input<typeof createInviteBody>;
export type InviteStatus = (typeof inviteStatuses)[number];
export type InviteAnswer = z.output<typeof inviteSchema>;
export type InvitesAnswer = z.output<typeof invitesAnswer>;
export type CreatedInviteAnswer = z.output<typeof createdInviteAnswer>;
export type ReadinessAnswer = z.output<typeof readinessAnswer>;

const errorMeanings = {
  400: 'The path or body is not valid; `issues` says what to change',
  401: 'Missing or wrong admin token',
  404: 'No such tenant, return workflow or invite',
  409: 'Refused in the current state (a return that cannot take this now, a demo tenant); `message` says why',
  503: 'Temporal did not answer in time; retry after Retry-After seconds',
} as const;

/** A route's error answers, for its schema's `response`, described for the OpenAPI document. */
export const errorAnswers = <S extends keyof typeof errorMeanings>(...statuses: S[]) =>
  Object.fromEntries(
    statuses.map((status) => [status, errorAnswer.describe(errorMeanings[status])]),
  ) as Record<S, typeof errorAnswer>;
