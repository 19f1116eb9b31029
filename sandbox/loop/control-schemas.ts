import { z } from 'zod';

/**
 * Inputs of the simulator's controls. The HTTP controls and the in-process methods parse the same
 * schemas, so both behave identically.
 */
export const returnStates = ['open', 'closed', 'cancelled', 'expired', 'review'] as const;
export type ReturnState = (typeof returnStates)[number];

export const scopeValues = ['returns', 'developer_tools', 'destinations:read'] as const;
export type SimScope = (typeof scopeValues)[number];

export const webhookTopics = [
  'return',
  'label',
  'restock',
  'label.request',
  'giftcard',
  'happy.returns.shipment',
  'return.processing',
] as const;

export const webhookTriggers = [
  'return.created',
  'return.updated',
  'return.closed',
  'label.created',
  'label.updated',
  'restock.requested',
  'giftcard.requested',
  'shipment.processed',
  'label.request.issued',
  'label.request.cancelled',
  'return.processing.failed',
] as const;

const id = z.number().int().positive();

/** A Date, or any string `Date` can read; stored as epoch milliseconds. */
const timestamp = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const ms = new Date(value).getTime();
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'not a readable date' });
    return z.NEVER;
  }
  return ms;
});

export const shopSchema = z.object({
  id: id.optional(),
  name: z.string().min(1).default('Demo Shop'),
  apiKey: z.string().min(1),
  scopes: z.array(z.enum(scopeValues)).default([...scopeValues]),
  webhookSecret: z.string().min(1),
  /** Loop Admin's "Allow flagged returns to process". */
  allowFlaggedToProcess: z.boolean().default(false),
});

export const destinationAddressSchema = z.object({
  address1: z.string().min(1),
  address2: z.string().nullable().default(null),
  city: z.string().min(1),
  state: z.string().nullable().default(null),
  zip: z.string().nullable().default(null),
  country: z.string().min(1),
  countryCode: z.string().length(2),
});

const defaultAddress = {
  address1: '400 Distribution Way',
  address2: null,
  city: 'Reno',
  state: 'NV',
  zip: '89502',
  country: 'United States',
  countryCode: 'US',
};

export const destinationSchema = z.object({
  shopId: id.optional(),
  id: id.optional(),
  name: z.string().min(1),
  type: z.enum(['warehouse', 'donate']).default('warehouse'),
  enabled: z.boolean().default(true),
  providerLocationId: id.nullable().default(null),
  /** null: a destination without an address, which makes Loop's list answer 500 (documented). */
  address: destinationAddressSchema.nullable().default(defaultAddress),
});

/** What Loop Admin can change on a destination after it was made; no defaults, only what is named changes. */
export const destinationPatchSchema = z.strictObject({
  name: z.string().min(1).optional(),
  type: z.enum(['warehouse', 'donate']).optional(),
  enabled: z.boolean().optional(),
  providerLocationId: id.nullable().optional(),
  address: destinationAddressSchema.nullable().optional(),
});

export const customerSchema = z
  .object({
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    phone: z.string(),
    address1: z.string(),
    address2: z.string(),
    city: z.string(),
    province: z.string(),
    zip: z.string(),
    country: z.string(),
    countryCode: z.string(),
  })
  .partial();

export const lineItemSchema = z.object({
  sku: z.string().default(''),
  title: z.string().default('Classic Tee - M / Black'),
  productId: id.optional(),
  variantId: id.optional(),
  barcode: z.string().default(''),
  price: z.string().default('25.00'),
  returnReason: z.string().default("Item didn't fit"),
  parentReturnReason: z.string().default(''),
  returnComment: z.string().default(''),
  /** Units of this item; Loop sends one line item per unit, so 3 becomes 3 line items. */
  quantity: z.number().int().min(1).max(100).default(1),
});

export const returnSchema = z.object({
  shopId: id.optional(),
  id: id.optional(),
  state: z.enum(returnStates).default('open'),
  orderName: z.string().min(1).optional(),
  orderId: id.optional(),
  providerOrderId: id.optional(),
  /** A destination of the shop; defaults to the shop's first destination; null for none. */
  destinationId: id.nullable().optional(),
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
  customer: customerSchema.optional(),
  items: z.array(lineItemSchema).min(1),
});

export const webhookSchema = z.object({
  shopId: id.optional(),
  topic: z.enum(webhookTopics),
  trigger: z.enum(webhookTriggers),
  url: z.url(),
  /** Seeds default to active (unlike Loop's API, which defaults to inactive). */
  status: z.enum(['active', 'inactive']).default('active'),
});

export const seedSchema = z.object({
  shops: z.array(shopSchema).default([]),
  destinations: z.array(destinationSchema).default([]),
  returns: z.array(returnSchema).default([]),
  webhooks: z.array(webhookSchema).default([]),
});

export const stateChangeSchema = z.object({ state: z.enum(returnStates) });

export const settingsPatchSchema = z.object({
  /** Whether IDs in API responses and webhook payloads are JSON numbers or strings. */
  idMode: z.enum(['number', 'string']).optional(),
  /** When false, the list endpoint ignores `paginate=true` and answers a bare array. */
  paginationSupported: z.boolean().optional(),
  rateLimit: z
    .object({ requests: z.number().int().positive(), windowMs: z.number().int().positive() })
    .partial()
    .optional(),
  delivery: z
    .object({
      /** Attempts in all, first one included (Loop: 6). */
      maxAttempts: z.number().int().min(1),
      baseDelayMs: z.number().int().min(0),
      maxDelayMs: z.number().int().min(0),
      timeoutMs: z.number().int().positive(),
      /** A receiver's Retry-After is honoured up to this; longer fails the delivery (Loop: 30 min). */
      retryAfterCapMs: z.number().int().min(0),
      /** Chance, 0..1, that a delivery is lost: never attempted (default 0). */
      loseRate: z.number().min(0).max(1),
      /** Chance, 0..1, that a delivery is made twice (default 0). */
      duplicateRate: z.number().min(0).max(1),
      /** Each delivery first waits a random 0..this, so deliveries can overtake each other (default 0). */
      maxJitterMs: z.number().int().min(0).max(600_000),
    })
    .partial()
    .optional(),
});

export type ShopInput = z.input<typeof shopSchema>;
export type DestinationInput = z.input<typeof destinationSchema>;
export type DestinationPatch = z.input<typeof destinationPatchSchema>;
export type DestinationAddress = z.output<typeof destinationAddressSchema>;
export type ReturnInput = z.input<typeof returnSchema>;
export type WebhookInput = z.input<typeof webhookSchema>;
export type SeedInput = z.input<typeof seedSchema>;
export type SettingsPatch = z.input<typeof settingsPatchSchema>;
