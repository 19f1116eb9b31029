import { toFinaleDate } from './finale-date.ts';
import type { ReturnStatus } from './control-schemas.ts';

/** The simulator's stored records and how Finale would serve them. */

export interface SimFacility {
  facilityId: string;
  facilityUrl: string;
  facilityName: string;
  parentFacilityUrl?: string;
  active: boolean;
  lastUpdatedMs: number;
}

export interface SimProduct {
  productId: string;
  productUrl: string;
  internalName?: string;
  lastUpdatedMs: number;
}

export interface SimOrderItem {
  productId: string;
  productUrl: string;
  quantity: number;
}

export interface SimOrder {
  orderId: string;
  orderUrl: string;
  statusId: string;
  items: SimOrderItem[];
  visibleAtMs: number;
  createdMs: number;
  lastUpdatedMs: number;
  extra: Record<string, unknown>;
}

export interface SimReturnItem {
  productId: string;
  productUrl: string;
  quantity: number;
  returnReasonId?: string;
}

export interface SimReturn {
  returnId: string;
  returnUrl: string;
  statusId: ReturnStatus;
  primaryOrderUrl?: string;
  destinationFacilityUrl?: string;
  returnDate?: string;
  notes?: string;
  items: SimReturnItem[];
  createdMs: number;
  lastUpdatedMs: number;
  extra: Record<string, unknown>;
}

export const renderFacility = (facility: SimFacility) => ({
  facilityId: facility.facilityId,
  facilityUrl: facility.facilityUrl,
  facilityName: facility.facilityName,
  ...(facility.parentFacilityUrl && { parentFacilityUrl: facility.parentFacilityUrl }),
  statusId: facility.active ? 'FACILITY_ACTIVE' : 'FACILITY_INACTIVE',
  lastUpdatedDate: toFinaleDate(facility.lastUpdatedMs),
});

export const renderProduct = (product: SimProduct) => ({
  productId: product.productId,
  productUrl: product.productUrl,
  internalName: product.internalName ?? product.productId,
  statusId: 'PRODUCT_ACTIVE',
  lastUpdatedDate: toFinaleDate(product.lastUpdatedMs),
});

/**
 * Collection reads leave line items out (reported for orders; for returns a setting, by default the same,
 * the worse case).
 */
export const renderOrder = (order: SimOrder, { withItems }: { withItems: boolean }) => ({
  ...order.extra,
  orderId: order.orderId,
  orderUrl: order.orderUrl,
  orderTypeId: 'SALES_ORDER',
  statusId: order.statusId,
  createdDate: toFinaleDate(order.createdMs),
  lastUpdatedDate: toFinaleDate(order.lastUpdatedMs),
  ...(withItems && {
    orderItemList: order.items.map((item, index) => ({
      orderItemUrl: `${order.orderUrl}/orderItem/${String(index + 1).padStart(8, '0')}`,
      ...item,
    })),
  }),
});

export const renderReturn = (record: SimReturn, { withItems }: { withItems: boolean }) => ({
  ...record.extra,
  returnId: record.returnId,
  returnUrl: record.returnUrl,
  statusId: record.statusId,
  ...(record.primaryOrderUrl && { primaryOrderUrl: record.primaryOrderUrl }),
  ...(record.destinationFacilityUrl && { destinationFacilityUrl: record.destinationFacilityUrl }),
  ...(record.returnDate && { returnDate: record.returnDate }),
  ...(record.notes && { notes: record.notes }),
  // Action URLs exist only while the action is valid: both end a draft, nothing changes a finished return.
  ...(record.statusId === 'RETURN_CREATED' && {
    actionUrlComplete: `${record.returnUrl}/complete`,
    actionUrlCancel: `${record.returnUrl}/cancel`,
  }),
  createdDate: toFinaleDate(record.createdMs),
  lastUpdatedDate: toFinaleDate(record.lastUpdatedMs),
  shipmentUrlList: [],
  ...(withItems && {
    returnItemList: record.items.map((item) => ({
      productId: item.productId,
      productUrl: item.productUrl,
      quantity: item.quantity,
      ...(item.returnReasonId && { returnReasonId: item.returnReasonId }),
    })),
  }),
});
