import { z } from 'zod';

/** Inputs of the simulator's controls, shared by the HTTP controls and the in-process methods. */

const timestamp = z.union([z.string().min(1), z.number()]);
const extraFields = z.record(z.string(), z.unknown()).default({});

export const accountSeedSchema = z.object({
  // Finale account paths are lower case.
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'account names are lower case letters, digits, ".", "_" or "-"'),
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
});

export const facilitySeedSchema = z.object({
  facilityName: z.string().min(1),
  /** Name of an already seeded location: makes this a sublocation. */
  parent: z.string().min(1).optional(),
  active: z.boolean().default(true),
});

export const productSeedSchema = z.object({
  productId: z.string().min(1),
  /** When set, the productUrl uses this instead of the productId, as Finale does for many products. */
  internalId: z.string().min(1).optional(),
  internalName: z.string().optional(),
});

export const orderSeedSchema = z.object({
  /** Exactly as Finale stores it, e.g. `1001` or `#1001`. */
  orderId: z.string().min(1),
  statusId: z.string().min(1).default('ORDER_LOCKED'),
  /** Shopify → Finale sync lag, on the simulator clock. */
  visibleAfterMs: z.number().int().min(0).default(0),
  /** Lines of seeded products. */
  items: z
    .array(z.object({ productId: z.string().min(1), quantity: z.number().positive().default(1) }))
    .default([]),
  /** Further fields served with the order (e.g. customer data a client must not pass on). */
  extra: extraFields,
});

export const returnStatusSchema = z.enum(['RETURN_CREATED', 'RETURN_COMPLETED', 'RETURN_CANCELLED']);

/** A return line by productId of a seeded product. */
const returnItemSeedSchema = z.object({
  productId: z.string().min(1),
  quantity: z.number().positive().default(1),
  returnReasonId: z.string().min(1).optional(),
});

export const returnSeedSchema = z.object({
  returnId: z.string().min(1),
  statusId: returnStatusSchema.default('RETURN_CREATED'),
  /** orderId of a seeded order. */
  orderId: z.string().min(1).optional(),
  /** Name of a seeded facility. */
  facilityName: z.string().min(1).optional(),
  items: z.array(returnItemSeedSchema).default([]),
  /** ISO date or epoch ms; default: the simulator clock's now. */
  lastUpdatedDate: timestamp.optional(),
  /** Further fields served with the return (e.g. `fromPartyUrl`, `publicNotes`). */
  extra: extraFields,
});

/** At most `requests` calls in any `windowMs`, per account; null: no limit. */
const windowLimitSchema = z
  .object({ requests: z.number().int().positive(), windowMs: z.number().int().positive() })
  .nullable();

export const settingsPatchSchema = z.object({
  /** Whether Finale rejects a second return with the same returnId is not documented. */
  duplicateReturnIds: z.enum(['allow', 'reject']).optional(),
  /**
   * Whether a collection read of returns carries `returnItemList`: reported absent for orders, not
   * documented for returns, so left out by default (the worse case for the client).
   */
  collectionReturnItems: z.enum(['omit', 'include']).optional(),
  /**
   * Per-account limits, each a sliding window: GETs (collection reads included), POSTs, and collection reads.
   * Off (null) unless set; the published figures are 120 GET and 120 POST a minute and 300 collection reads
   * an hour.
   */
  rateLimits: z
    .object({ get: windowLimitSchema, post: windowLimitSchema, collection: windowLimitSchema })
    .partial()
    .optional(),
});

export const clockControlSchema = z.union([
  z.object({ now: timestamp }).strict(),
  z.object({ advanceMs: z.number().int() }).strict(),
  z.object({ real: z.literal(true) }).strict(),
]);

export const returnRefSchema = z.object({ returnUrl: z.string().min(1) });

/**
 * What the warehouse received, replacing the return's lines: fewer or more units, another product, a line
 * left out. Only a draft return can change.
 */
export const returnItemsChangeSchema = returnRefSchema.extend({ items: z.array(returnItemSeedSchema) });

/** Completes a return, optionally recording first what was actually received. */
export const returnCompletionSchema = returnRefSchema.extend({
  items: z.array(returnItemSeedSchema).optional(),
});

export type AccountSeed = z.input<typeof accountSeedSchema>;
export type FacilitySeed = z.input<typeof facilitySeedSchema>;
export type ProductSeed = z.input<typeof productSeedSchema>;
export type OrderSeed = z.input<typeof orderSeedSchema>;
export type ReturnSeed = z.input<typeof returnSeedSchema>;
export type ClockControl = z.input<typeof clockControlSchema>;
export type ReturnItemsChange = z.input<typeof returnItemsChangeSchema>;
export type ReturnCompletion = z.input<typeof returnCompletionSchema>;
export type SettingsPatch = z.input<typeof settingsPatchSchema>;
export type WindowLimit = z.output<typeof windowLimitSchema>;
export interface FinaleSettings {
  duplicateReturnIds: 'allow' | 'reject';
  collectionReturnItems: 'omit' | 'include';
  rateLimits: { get: WindowLimit; post: WindowLimit; collection: WindowLimit };
}
export type ReturnStatus = z.output<typeof returnStatusSchema>;
