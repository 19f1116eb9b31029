import type { SimReturnItem } from './records.ts';
import type { FinaleSimulatorState, NewReturn, SimAccount } from './state.ts';

/** Finale checks that the order, the facility and every product exist before it creates a return. */

class CreateError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (body: Record<string, unknown>, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CreateError(`${field} must be a string`);
  return value;
};

function item(account: SimAccount, raw: unknown, index: number): SimReturnItem {
  if (!isRecord(raw)) throw new CreateError(`returnItemList[${index}] must be an object`);
  const productUrl = optionalString(raw, 'productUrl');
  const product = account.products.find((candidate) => candidate.productUrl === productUrl);
  if (!product)
    throw new CreateError(`returnItemList[${index}]: product ${String(productUrl)} does not exist`);
  const quantity = raw.quantity;
  if (typeof quantity !== 'number' || !(quantity > 0)) {
    throw new CreateError(`returnItemList[${index}]: quantity must be a positive number`);
  }
  const returnReasonId = optionalString(raw, 'returnReasonId');
  return { productId: product.productId, productUrl: product.productUrl, quantity, returnReasonId };
}

function parse(state: FinaleSimulatorState, account: SimAccount, body: unknown): NewReturn {
  if (!isRecord(body)) throw new CreateError('Expected a JSON object');
  const returnId = optionalString(body, 'returnId');
  if (returnId !== undefined && !/^[\x20-\x7e]{1,20}$/.test(returnId)) {
    throw new CreateError('returnId must be at most 20 ASCII characters');
  }
  if (
    returnId !== undefined &&
    state.settings.duplicateReturnIds === 'reject' &&
    account.returns.some((record) => record.returnId === returnId)
  ) {
    throw new CreateError(`A return with returnId ${returnId} already exists`);
  }
  const primaryOrderUrl = optionalString(body, 'primaryOrderUrl');
  const order = account.orders.find((candidate) => candidate.orderUrl === primaryOrderUrl);
  if (primaryOrderUrl !== undefined && !(order && state.isVisible(order))) {
    throw new CreateError(`Order ${primaryOrderUrl} does not exist`);
  }
  const destinationFacilityUrl = optionalString(body, 'destinationFacilityUrl');
  if (destinationFacilityUrl !== undefined) {
    const facility = account.facilities.find((candidate) => candidate.facilityUrl === destinationFacilityUrl);
    if (!facility?.active)
      throw new CreateError(`Facility ${destinationFacilityUrl} does not exist or is inactive`);
    if (facility.parentFacilityUrl) {
      throw new CreateError(
        `destinationFacilityUrl must be a location, not the sublocation ${facility.facilityName}`,
      );
    }
  }
  const rawItems = body.returnItemList ?? [];
  if (!Array.isArray(rawItems)) throw new CreateError('returnItemList must be a list');
  return {
    returnId,
    primaryOrderUrl,
    destinationFacilityUrl,
    returnDate: optionalString(body, 'returnDate'),
    notes: optionalString(body, 'notes'),
    items: rawItems.map((raw, index) => item(account, raw, index)),
  };
}

/** The new return, or the message Finale-style validation rejects the body with. */
export function validateNewReturn(
  state: FinaleSimulatorState,
  account: SimAccount,
  body: unknown,
): { ok: true; value: NewReturn } | { ok: false; message: string } {
  try {
    return { ok: true, value: parse(state, account, body) };
  } catch (error) {
    if (error instanceof CreateError) return { ok: false, message: error.message };
    throw error;
  }
}
