import { z } from 'zod';
import { loopId, loopText, optionalLoopId } from './schemas.ts';

export type LoopReturnState = 'open' | 'closed' | 'cancelled' | 'expired' | 'review';

/**
 * What a workflow needs from a Loop return, and nothing else: no customer name, email, address or
 * comment, because this object ends up in Temporal history.
 */
export interface LoopReturn {
  id: string;
  /** Usually a `LoopReturnState`; left open because Loop may add states. */
  state: LoopReturnState | (string & {});
  /** Shopify order name, e.g. `#1001`. */
  orderName: string;
  /** Loop's own order ID (not Shopify's). */
  orderId: string | null;
  /** Shopify order ID. */
  providerOrderId: string | null;
  /** ISO-8601 UTC, or null when Loop sent none or an unreadable value. */
  createdAt: string | null;
  updatedAt: string | null;
  destinationId?: string;
  /** One entry per returned unit: Loop has no quantity field. */
  lineItems: LoopReturnLineItem[];
}

export interface LoopReturnLineItem {
  id: string;
  /** May be `""`: fall back to `variantId` or `barcode`. */
  sku: string;
  variantId: string | null;
  productId: string | null;
  /** Null when Loop sent `""` or `"N/A"`, so it can never be mistaken for a real barcode. */
  barcode: string | null;
  title: string;
  returnReason: string;
  parentReturnReason: string;
}

const loopTimestamp = z
  .string()
  .nullish()
  .transform((value) => {
    if (!value) return null;
    // Loop writes `YYYY-MM-DD HH:MM:SS` without a zone; it is UTC.
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  });

const barcode = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => {
    const text = v === null || v === undefined ? '' : String(v).trim();
    return text === '' || text.toUpperCase() === 'N/A' ? null : text;
  });

const lineItemSchema = z
  .object({
    line_item_id: loopId,
    sku: loopText,
    variant_id: optionalLoopId,
    product_id: optionalLoopId,
    barcode,
    title: loopText,
    return_reason: loopText,
    parent_return_reason: loopText,
  })
  .transform((item): LoopReturnLineItem => ({
    id: item.line_item_id,
    sku: item.sku,
    variantId: item.variant_id,
    productId: item.product_id,
    barcode: item.barcode,
    title: item.title,
    returnReason: item.return_reason,
    parentReturnReason: item.parent_return_reason,
  }));

/** Fields of the return object shared by details, list and webhook payloads. */
export const returnShape = {
  id: loopId,
  state: z.string().min(1),
  order_name: loopText,
  order_id: optionalLoopId,
  provider_order_id: optionalLoopId,
  created_at: loopTimestamp,
  updated_at: loopTimestamp,
  destination_id: optionalLoopId,
  line_items: z
    .array(lineItemSchema)
    .nullish()
    .transform((v) => v ?? []),
};

type ReturnWire = z.output<z.ZodObject<typeof returnShape>>;

export const toLoopReturn = (wire: ReturnWire): LoopReturn => ({
  id: wire.id,
  state: wire.state,
  orderName: wire.order_name,
  orderId: wire.order_id,
  providerOrderId: wire.provider_order_id,
  createdAt: wire.created_at,
  updatedAt: wire.updated_at,
  ...(wire.destination_id === null ? {} : { destinationId: wire.destination_id }),
  lineItems: wire.line_items,
});

export const loopReturnSchema = z.object(returnShape).transform(toLoopReturn);
