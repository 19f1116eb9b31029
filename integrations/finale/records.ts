import { z } from 'zod';
import type { FinaleOrder, FinaleReturn } from './types.ts';

/**
 * Zod schemas for the parts of Finale records the client uses. Unknown fields are stripped, which both
 * tolerates new fields and keeps customer data (parties, addresses, notes) out of everything returned.
 */

/** Finale leaves absent values out or sends null (column-major lists pad with null). */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

export const facilityRowSchema = z.object({
  facilityUrl: z.string(),
  facilityName: z.string(),
  parentFacilityUrl: optionalText,
  statusId: optionalText,
});
export type FacilityRow = z.infer<typeof facilityRowSchema>;

export const productRowSchema = z.object({ productId: z.string(), productUrl: z.string() });

export const orderRecordSchema = z
  .object({
    orderId: z.string(),
    orderUrl: z.string(),
    statusId: z.string(),
    orderItemList: z.array(z.object({ productId: optionalText, productUrl: optionalText })).nullish(),
  })
  .transform(({ orderItemList, ...order }): FinaleOrder => ({
    ...order,
    // Lines without a product (e.g. a fee) have nothing to resolve a SKU with.
    items: (orderItemList ?? []).flatMap(({ productId, productUrl }) =>
      productId && productUrl ? [{ productId, productUrl }] : [],
    ),
  }));

export const returnRecordSchema = z.object({
  returnId: z.string(),
  returnUrl: z.string(),
  statusId: z.string(),
  lastUpdatedDate: optionalText,
  destinationFacilityUrl: optionalText,
  primaryOrderUrl: optionalText,
  // Present only while cancelling is allowed.
  actionUrlCancel: optionalText,
  returnItemList: z
    .array(
      z.object({
        productUrl: z.string(),
        productId: optionalText,
        // Finale's number fields are JSON numbers in every example; a numeric string is read the same.
        quantity: z.union([
          z.number(),
          z
            .string()
            .regex(/^\d+(\.\d+)?$/)
            .transform(Number),
        ]),
        returnReasonId: optionalText,
      }),
    )
    .nullish(),
});
export type ReturnRecord = z.infer<typeof returnRecordSchema>;

export const toFinaleReturn = (record: ReturnRecord): FinaleReturn => ({
  returnId: record.returnId,
  returnUrl: record.returnUrl,
  statusId: record.statusId,
  lastUpdatedDate: record.lastUpdatedDate,
  destinationFacilityUrl: record.destinationFacilityUrl,
  primaryOrderUrl: record.primaryOrderUrl,
  ...(record.returnItemList && {
    items: record.returnItemList.map((item) => ({
      productUrl: item.productUrl,
      productId: item.productId,
      quantity: item.quantity,
      returnReasonId: item.returnReasonId,
    })),
  }),
});
