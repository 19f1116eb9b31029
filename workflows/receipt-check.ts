// Pure, deterministic comparison of what a Finale return was created with and what the warehouse received:
// safe to run inside workflow code.

/** A line as the integration created it in Finale. */
export interface CreatedLine {
  sku: string;
  productUrl: string;
  quantity: number;
  returnReasonId?: string;
}

/** A line as Finale holds it once the warehouse completed the return. */
export interface ReceivedLine {
  productUrl: string;
  productId?: string;
  quantity: number;
  returnReasonId?: string;
}

/** One product whose received units differ from what was created, by quantity or by reason. */
export interface ReceiptDifference {
  /** The SKU it was created with, else Finale's productId, else its productUrl. */
  product: string;
  expected: number;
  received: number;
  /** One line a person can read, e.g. `TEE-BLK-M: expected 2, received 1`. */
  line: string;
}

type ByReason = Map<string, number>;

const NO_REASON = '';

function add(
  byProduct: Map<string, ByReason>,
  productUrl: string,
  reason: string | undefined,
  quantity: number,
) {
  const reasons = byProduct.get(productUrl) ?? new Map<string, number>();
  reasons.set(reason ?? NO_REASON, (reasons.get(reason ?? NO_REASON) ?? 0) + quantity);
  byProduct.set(productUrl, reasons);
}

const total = (reasons: ByReason | undefined) =>
  [...(reasons?.values() ?? [])].reduce((sum, quantity) => sum + quantity, 0);

const sameCounts = (a: ByReason | undefined, b: ByReason | undefined) => {
  const keys = new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  return [...keys].every((key) => (a?.get(key) ?? 0) === (b?.get(key) ?? 0));
};

const reasonList = (reasons: ByReason | undefined) =>
  [...(reasons?.entries() ?? [])]
    .filter(([, quantity]) => quantity !== 0)
    .map(([reason, quantity]) => `${quantity} × ${reason === NO_REASON ? 'no reason' : reason}`)
    .join(', ');

/** Only one reason on either side, and the same one: the quantity alone says what differs. */
const oneSharedReason = (expected: ByReason | undefined, received: ByReason | undefined) => {
  const keys = new Set(
    [...(expected?.entries() ?? []), ...(received?.entries() ?? [])]
      .filter(([, quantity]) => quantity !== 0)
      .map(([key]) => key),
  );
  return keys.size <= 1;
};

/**
 * Every product whose received quantities differ from the created ones, per product and reason: fewer or
 * more units, a product that was not on the return, a line removed, units received under another reason.
 * Empty when the warehouse received exactly what was created. Created products come first, in order.
 */
export function compareReceipt(created: CreatedLine[], received: ReceivedLine[]): ReceiptDifference[] {
  const expected = new Map<string, ByReason>();
  const actual = new Map<string, ByReason>();
  const labels = new Map<string, string>();
  for (const line of created) {
    add(expected, line.productUrl, line.returnReasonId, line.quantity);
    labels.set(line.productUrl, line.sku);
  }
  for (const line of received) {
    add(actual, line.productUrl, line.returnReasonId, line.quantity);
    if (!labels.has(line.productUrl)) labels.set(line.productUrl, line.productId ?? line.productUrl);
  }
  const products = [...new Set([...expected.keys(), ...actual.keys()])];
  return products.flatMap((productUrl) => {
    const want = expected.get(productUrl);
    const got = actual.get(productUrl);
    if (sameCounts(want, got)) return [];
    const product = labels.get(productUrl) ?? productUrl;
    const [e, r] = [total(want), total(got)];
    const line = oneSharedReason(want, got)
      ? `${product}: expected ${e}, received ${r}`
      : `${product}: expected ${e} (${reasonList(want) || 'none'}), received ${r} (${reasonList(got) || 'none'})`;
    return [{ product, expected: e, received: r, line }];
  });
}

/**
 * The Loop note about a receipt that differs, one line per product after a sentence saying what was done:
 * held for review (`flag`) or completed anyway (`process`).
 */
export function receiptNote(
  finaleReturnId: string,
  differences: ReceiptDifference[],
  handling: 'flag' | 'process',
): string {
  const what =
    handling === 'flag'
      ? `Held for review: the warehouse received something else than Finale return ${finaleReturnId} lists.`
      : `Completed although the warehouse received something else than Finale return ${finaleReturnId} lists.`;
  return [what, ...differences.map((difference) => difference.line)].join('\n');
}
