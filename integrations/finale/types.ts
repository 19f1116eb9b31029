/** Public shapes the Finale client returns: only what a workflow needs, never customer PII. */

export type FinaleReturnStatus = 'RETURN_CREATED' | 'RETURN_COMPLETED' | 'RETURN_CANCELLED';

export interface Facility {
  facilityUrl: string;
  facilityName: string;
  /** A return's destination must be a location; stock itself lives in sublocations. */
  kind: 'location' | 'sublocation';
  active: boolean;
  parentFacilityUrl?: string;
}

export type LocationMatch =
  | { found: Facility }
  | {
      found: undefined;
      /** Active location names equal to the one asked for but for case or spacing. */
      nearMatches: string[];
      /** Every active location name, for an onboarding form to offer. */
      locations: string[];
    };

export interface FinaleOrderItem {
  productId: string;
  /** As Finale gives it: may use an internal number rather than the productId. */
  productUrl: string;
}

export interface FinaleOrder {
  orderId: string;
  orderUrl: string;
  statusId: string;
  /** The order's products: resolving SKUs from here costs no collection read. */
  items: FinaleOrderItem[];
}

export interface FinaleProduct {
  productId: string;
  productUrl: string;
}

export interface FinaleReturnItem {
  productUrl: string;
  productId?: string;
  quantity: number;
  returnReasonId?: string;
}

export interface FinaleReturn {
  returnId: string;
  returnUrl: string;
  // The union keeps autocompletion for the known statuses while accepting any future one.
  statusId: FinaleReturnStatus | (string & {});
  /** As Finale wrote it, zone-less (`2021-05-18T09:59:31`). */
  lastUpdatedDate?: string;
  destinationFacilityUrl?: string;
  primaryOrderUrl?: string;
  /**
   * The lines as Finale holds them now (after completion: what the warehouse received). Absent when Finale
   * left them out, as collection reads may; an empty list means the return has no lines.
   */
  items?: FinaleReturnItem[];
}

export interface NewFinaleReturnItem {
  productUrl: string;
  quantity: number;
  returnReasonId?: string;
}

export interface NewFinaleReturn {
  /** Deterministic from the Loop return, at most 20 ASCII characters; Finale never lets it change. */
  returnId: string;
  primaryOrderUrl: string;
  /** Must be a location, not a sublocation. */
  destinationFacilityUrl: string;
  returnDate?: Date;
  notes?: string;
  items: NewFinaleReturnItem[];
}

export interface ReturnChangesQuery {
  since: Date;
  until?: Date;
  /** Applied after the read: Finale documents filters as possibly single-key. */
  statuses?: FinaleReturnStatus[];
}
