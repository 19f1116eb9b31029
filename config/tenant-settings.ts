import { z } from 'zod';
import { orderIdForms, type OrderIdForm } from '../integrations/finale/order-id-forms.ts';
import { collisionMessage, labelCollisions, reasonLabelKey } from './reason-labels.ts';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

const durationUnits: Record<string, number> = { ms: 1, s: second, m: minute, h: hour, d: day };
const durationHint = 'a duration such as "72h", "30m" or "90s" (or a whole number of milliseconds)';

/**
 * A duration stored as whole milliseconds (what Temporal timers accept), written either as a number or as
 * a short string like "72h" so operators need not count zeros. Bounded so a typo cannot hammer the APIs
 * or park a return for years. A codec, so stored settings encode back (as milliseconds) when the admin API
 * serialises them, and its JSON Schema says what each side holds.
 */
function durationMs(what: string, defaultMs: number) {
  return z
    .codec(
      z.union([z.number(), z.string()], { error: `${what} must be ${durationHint}` }),
      z
        .int()
        .min(second)
        .max(30 * day),
      {
        decode: (value, payload) => {
          const match = typeof value === 'string' ? /^(\d+)\s*(ms|s|m|h|d)$/.exec(value.trim()) : null;
          const ms =
            typeof value === 'number' ? value : match ? Number(match[1]) * durationUnits[match[2]!]! : NaN;
          if (Number.isInteger(ms) && ms >= second && ms <= 30 * day) return ms;
          payload.issues.push({
            code: 'custom',
            path: [],
            input: value,
            message: `${what} must be between 1s and 30d, written as ${durationHint}; got ${JSON.stringify(value)}`,
          });
          return ms;
        },
        encode: (ms) => ms,
      },
    )
    .default(defaultMs);
}

const requiredText = (what: string, max = 200) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .max(max, { error: `${what} must be at most ${max} characters` });

export const tenantIdSchema = z
  .string({ error: 'Tenant ID is required' })
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    error:
      'Tenant ID must be 1–63 lower-case letters, digits or hyphens, starting and ending with a letter or digit, ' +
      'e.g. "acme-outdoor" (it becomes part of webhook URLs and workflow IDs)',
  });

export const finaleAccountNameSchema = z
  .string({ error: 'Finale account name is required' })
  .trim()
  .regex(/^[a-z0-9][a-z0-9._~-]{0,99}$/, {
    error: (issue) => {
      const base =
        'Finale account name must be the lower-case name after "app.finaleinventory.com/" in your Finale web ' +
        'address, e.g. "mystore"';
      const input = typeof issue.input === 'string' ? issue.input : '';
      return input.toLowerCase() !== input ? `${base} — try "${input.toLowerCase()}"` : base;
    },
  });

export const finaleReasonIdSchema = z
  .string({ error: 'Finale reason ID is required' })
  .trim()
  .regex(/^##user_\d{5,}$/, {
    error: (issue) =>
      'Finale reason ID must look like "##user_00003" (copy it from Finale: Application settings → Selling → ' +
      `Returns → Return reasons); got ${JSON.stringify(issue.input)}`,
  });

export { orderIdForms, type OrderIdForm };

export const completionActions = ['process', 'close'] as const;
/** What happens to the Loop return once Finale completes it (unless a flag reason applies). */
export type CompletionAction = (typeof completionActions)[number];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reason labels as returns are matched on them (config/reason-labels.ts): none blank, no two the same.
 * Checked when settings are written, not when they are read back, so a row stored under older rules still
 * loads (the plan then uses the last of two colliding labels). Runs even when other fields are wrong, so
 * every problem is reported at once; the fields may then not have their parsed shape yet.
 */
function checkReasonLabels(settings: { reasonMap?: unknown; flagReasons?: unknown }, ctx: z.RefinementCtx) {
  /** One list of labels: where each sits in the settings, and how a problem names the list. */
  const check = (labels: string[], at: (index: number) => PropertyKey[], blank: string, what: string) => {
    labels.forEach((label, index) => {
      if (reasonLabelKey(label) === '') ctx.addIssue({ code: 'custom', path: at(index), message: blank });
    });
    for (const collision of labelCollisions(labels)) {
      ctx.addIssue({ code: 'custom', path: at(collision.index), message: collisionMessage(what, collision) });
    }
  };
  if (isRecord(settings.reasonMap)) {
    const labels = Object.keys(settings.reasonMap);
    check(
      labels,
      (index) => ['reasonMap', labels[index]!],
      'Reason labels must not be blank',
      'Reason labels',
    );
  }
  if (Array.isArray(settings.flagReasons)) {
    const labels = settings.flagReasons.map((label) => (typeof label === 'string' ? label : ''));
    check(labels, (index) => ['flagReasons', index], 'Flag reason labels must not be blank', 'Flag reasons');
  }
}

/**
 * Where returns shipped to one Loop destination go: the tenant's destination facility, another Finale
 * location (exact name, like the facility), or nowhere: a destination Finale does not handle (a retail
 * store, a 3PL outside Finale), whose returns are skipped.
 */
export const destinationRouteSchema = z.discriminatedUnion(
  'route',
  [
    z.strictObject({
      route: z.literal('default'),
      /** The destination's name in Loop when mapped, for people reading the settings; never matched on. */
      loopName: z.string().trim().max(200).optional(),
    }),
    z.strictObject({
      route: z.literal('location'),
      facilityName: requiredText('Finale location name'),
      loopName: z.string().trim().max(200).optional(),
    }),
    z.strictObject({
      route: z.literal('not-handled'),
      loopName: z.string().trim().max(200).optional(),
    }),
  ],
  {
    error:
      'Each destination must say "route": "default" (the destination facility), "location" (with ' +
      '"facilityName") or "not-handled" (returns to it are skipped)',
  },
);
export type DestinationRoute = z.output<typeof destinationRouteSchema>;

/** Loop destination ID (Loop sends it as a number or a string; stored as the string) → route. */
const destinationMapSchema = z
  .record(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/),
    destinationRouteSchema,
    {
      error: (issue) =>
        issue.code === 'invalid_key' ? 'Loop destination IDs are numbers such as "7295"' : undefined,
    },
  )
  .refine((map) => Object.keys(map).length <= 500, { error: 'At most 500 destinations can be mapped' });

export const unmappedDestinationActions = ['default-facility', 'hold'] as const;
/** What happens to a return for a Loop destination missing from the map, e.g. one added after onboarding. */
export type UnmappedDestinationAction = (typeof unmappedDestinationActions)[number];

export const receiptMismatchActions = ['flag', 'process'] as const;
/** What happens when the warehouse received something else than the Finale return lists. */
export type ReceiptMismatchAction = (typeof receiptMismatchActions)[number];

const settingsShape = {
  tenantId: tenantIdSchema,
  displayName: requiredText('Display name'),
  finaleAccountName: finaleAccountNameSchema,
  /** Finale location that receives returns, matched by exact name. */
  destinationFacilityName: requiredText('Destination facility name'),
  /** Loop reason label (stored as given) → Finale reason ID. */
  reasonMap: z.record(z.string(), finaleReasonIdSchema).default({}),
  /** Loop reason labels that make a completed return get flagged for review instead of processed/closed. */
  flagReasons: z.array(z.string()).default([]),
  completionAction: z
    .enum(completionActions, { error: 'Loop completion action must be "process" or "close"' })
    .default('process'),
  /** Tried in this order until Finale finds the order. */
  orderIdForms: z
    .array(
      z.enum(orderIdForms, {
        error: 'Order ID forms must each be "name" (#1001), "number" (1001) or "hash-number" ("#" + number)',
      }),
    )
    .min(1, { error: 'Give at least one order ID form to try in Finale, e.g. ["name"]' })
    .refine((forms) => new Set(forms).size === forms.length, { error: 'Order ID forms must not repeat' })
    .default(['name', 'number', 'hash-number']),
  /** How long to keep retrying a return whose order has not reached Finale before flagging it. */
  orderMissingWindowMs: durationMs('Order-missing window', 72 * hour),
  /** First automatic re-check of a return parked in needs-attention; later ones back off to a week. */
  needsAttentionRecheckMs: durationMs('Needs-attention re-check interval', 6 * hour),
  /**
   * Each return's own first fallback check of its Finale return, in case the sweeper misses a completion;
   * later checks back off to 16 days. Also their minimum spacing: 4 days keeps 50,000 open returns of one
   * tenant under a tenth of Finale's read budget (workflows/return/schedules.ts).
   */
  completionCheckIntervalMs: durationMs('Completion fallback check interval', 4 * day),
  sweeperIntervalMs: durationMs('Sweeper interval', 5 * minute),
  /**
   * Loop destination → Finale location. Empty (the default) sends every return to the destination
   * facility, as the merchant guide describes.
   */
  destinationMap: destinationMapSchema.default({}),
  unmappedDestinations: z
    .enum(unmappedDestinationActions, {
      error:
        'Unmapped destinations must be "default-facility" (send to the destination facility) or "hold" ' +
        '(hold the return for review until the destination is mapped)',
    })
    .default('default-facility'),
  /** `flag`: hold the Loop return for review with a note of the differences; `process`: complete it anyway, with the note. */
  receiptMismatch: z
    .enum(receiptMismatchActions, {
      error: 'Received-quantity mismatch must be "flag" (hold for review) or "process" (complete anyway)',
    })
    .default('flag'),
  /** Adds one Loop note naming the Finale return and location once it is created (one more Loop call). */
  loopNoteOnCreate: z.boolean({ error: 'Loop note on create must be true or false' }).default(false),
  paused: z.boolean({ error: 'Paused must be true or false' }).default(false),
};

/**
 * A tenant's non-secret settings as written: safe to pass to workflows and so to record in workflow
 * history. Strict, so a misspelt field is reported rather than silently dropped.
 */
export const tenantSettingsSchema = z
  .strictObject(settingsShape)
  .superRefine(checkReasonLabels, { when: () => true });

/**
 * Settings as read back from storage (and shown by the admin API). Unknown fields are dropped instead of
 * rejected, so an older worker still reads a row written by a newer release during a rolling deploy.
 */
export const storedTenantSettingsSchema = z.object(settingsShape);

export type TenantSettings = z.output<typeof tenantSettingsSchema>;
/** Settings as written by a caller: defaults may be omitted and durations may be strings like "72h". */
export type TenantSettingsInput = z.input<typeof tenantSettingsSchema>;

/** Credentials: never in workflow history; only activities read them, through the tenant store. */
export const tenantSecretsSchema = z.strictObject({
  finaleApiKey: requiredText('Finale API key', 1000),
  finaleApiSecret: requiredText('Finale API secret', 1000),
  loopApiKey: requiredText('Loop API key', 1000),
  loopWebhookSecret: requiredText('Loop webhook secret', 1000),
});

export type TenantSecrets = z.output<typeof tenantSecretsSchema>;

/** Everything needed to create a tenant, validated in one pass so every problem is reported together. */
export const newTenantSchema = z.strictObject({
  settings: tenantSettingsSchema,
  secrets: tenantSecretsSchema,
});

export type NewTenant = z.input<typeof newTenantSchema>;

export interface SettingsProblem {
  /** Dotted path of the offending field, e.g. `reasonMap.Damaged`; empty for the whole object. */
  path: string;
  message: string;
}

export class TenantSettingsError extends Error {
  constructor(
    readonly problems: SettingsProblem[],
    context = 'Invalid tenant settings',
  ) {
    super(`${context}:\n${problems.map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n')}`);
    this.name = 'TenantSettingsError';
  }
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, context?: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new TenantSettingsError(problems, context);
}

/** Validates settings before they are written; reports every problem at once. */
export const parseTenantSettings = (input: unknown): TenantSettings =>
  parseOrThrow(tenantSettingsSchema, input);

/** Validates settings read back from storage, naming the tenant whose stored row is bad. */
export const parseStoredTenantSettings = (input: unknown, tenantId: string): TenantSettings =>
  parseOrThrow(storedTenantSettingsSchema, input, `Stored settings of tenant "${tenantId}" are invalid`);

export const parseNewTenant = (input: unknown): z.output<typeof newTenantSchema> =>
  parseOrThrow(newTenantSchema, input, 'Invalid tenant');

export const parseTenantSecrets = (input: unknown, context?: string): TenantSecrets =>
  parseOrThrow(tenantSecretsSchema, input, context ?? 'Invalid tenant secrets');
