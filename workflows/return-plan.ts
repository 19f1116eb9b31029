// Pure, deterministic planning of a Finale return from a Loop return: safe to run inside workflow code.
import { reasonLabelKey } from '../config/reason-labels.ts';
import type { LoopReturnLineItem } from '../integrations/loop/loop-return.ts';

export interface PlanSettings {
  /** Loop reason label → Finale reason ID. */
  reasonMap: Record<string, string>;
  flagReasons: string[];
}

export interface PlannedItem {
  sku: string;
  quantity: number;
  /** Absent when the Loop reason is not mapped: the item is still returned, without a reason. */
  returnReasonId?: string;
}

export interface ReturnPlan {
  items: PlannedItem[];
  /** Distinct SKUs, in first-seen order. */
  skus: string[];
  /** Loop reason labels with no mapping (left out of the Finale return). */
  unmappedReasons: string[];
  /** Configured flag reasons this return carries, as the merchant wrote them. */
  flagReasonsMatched: string[];
  /** Line items Loop sent without a SKU: they cannot be matched to a Finale product. */
  lineItemsWithoutSku: { id: string; title: string }[];
}

function lookup<T>(entries: [string, T][]): (label: string) => T | undefined {
  const byKey = new Map(entries.map(([label, value]) => [reasonLabelKey(label), value]));
  return (label) => (reasonLabelKey(label) === '' ? undefined : byKey.get(reasonLabelKey(label)));
}

/**
 * Loop sends one line item per unit; Finale wants one row per product and reason with a quantity. Reasons
 * are matched on `return_reason` first, then `parent_return_reason`.
 */
export function buildReturnPlan(lineItems: LoopReturnLineItem[], settings: PlanSettings): ReturnPlan {
  const reasonIdFor = lookup(Object.entries(settings.reasonMap));
  const flagFor = lookup(settings.flagReasons.map((label) => [label, label]));
  const rows = new Map<string, PlannedItem>();
  const unmapped = new Set<string>();
  const flagged = new Set<string>();
  const withoutSku: ReturnPlan['lineItemsWithoutSku'] = [];

  for (const item of lineItems) {
    for (const label of [item.returnReason, item.parentReturnReason]) {
      const flag = flagFor(label);
      if (flag !== undefined) flagged.add(flag);
    }
    const sku = item.sku.trim();
    if (sku === '') {
      withoutSku.push({ id: item.id, title: item.title });
      continue;
    }
    const returnReasonId = reasonIdFor(item.returnReason) ?? reasonIdFor(item.parentReturnReason);
    if (returnReasonId === undefined) {
      const label = item.returnReason.trim() || item.parentReturnReason.trim();
      if (label !== '') unmapped.add(label);
    }
    const key = `${sku}\u0000${returnReasonId ?? ''}`;
    const row = rows.get(key);
    if (row) row.quantity += 1;
    else
      rows.set(
        key,
        returnReasonId === undefined ? { sku, quantity: 1 } : { sku, quantity: 1, returnReasonId },
      );
  }

  const items = [...rows.values()];
  return {
    items,
    skus: [...new Set(items.map((item) => item.sku))],
    unmappedReasons: [...unmapped],
    flagReasonsMatched: [...flagged],
    lineItemsWithoutSku: withoutSku,
  };
}

/**
 * Finale `returnId` for a Loop return: deterministic, so a retried create can find an earlier attempt, and
 * at most 20 ASCII characters as Finale requires.
 */
export function finaleReturnIdFor(loopReturnId: string): string {
  const plain = `LOOP-${loopReturnId}`;
  if (plain.length <= 20 && /^[\x21-\x7e]+$/.test(plain)) return plain;
  // FNV-1a keeps long or non-ASCII IDs deterministic and short without Node's crypto (unavailable here).
  let hash = 0x811c9dc5;
  for (const char of loopReturnId) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `LOOP-H${hash.toString(36).toUpperCase()}`;
}

/** Which of this service's Finale `returnId` forms an ID is; undefined when the ID is not one of ours. */
export type OurFinaleReturnId =
  /** `LOOP-<digits>`: the Loop return ID is in it. */
  | { loopReturnId: string }
  /** `LOOP-H<base36>`: hashed from a long Loop ID; only a search attribute leads back to its workflow. */
  | { hashed: string };

/**
 * Reads a Finale `returnId` back, accepting only the exact forms `finaleReturnIdFor` makes. Anyone can
 * type a returnId in Finale: whatever this returns is safe to put in a workflow ID or a visibility query.
 */
export function parseFinaleReturnId(finaleReturnId: string): OurFinaleReturnId | undefined {
  const plain = /^LOOP-(\d{1,15})$/.exec(finaleReturnId);
  if (plain && finaleReturnIdFor(plain[1]!) === finaleReturnId) return { loopReturnId: plain[1]! };
  if (/^LOOP-H[0-9A-Z]{1,7}$/.test(finaleReturnId)) return { hashed: finaleReturnId };
  return undefined;
}
