/**
 * Loop explains errors in at least six body shapes, several of them under HTTP 200:
 *   {"errors":{"message":"…","code":"UNPROCESSABLE_RETURN"}}   action refused (200)
 *   {"message":"Return is cancelled and therefore …"}          action refused (200), Laravel 422
 *   {"content":"Return is flagged and cannot be processed."}   action refused (200)
 *   {"error":{"message":"…"}}                                  details miss (200)
 *   {"error":{"code":"401","http_code":"GEN-UNAUTHORIZED","message":"Unauthorized."}}   gateway
 *   {"errors":{"code":"NOT_FOUND"}} / {"code":"NOT_FOUND","message":"…"}
 */
export interface LoopErrorBody {
  message: string | undefined;
  code: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The message and code of an error body, or undefined when the value is not one. */
export function describeErrorBody(value: unknown): LoopErrorBody | undefined {
  if (!isRecord(value)) return undefined;
  const nested = [value.errors, value.error].find(isRecord);
  const message =
    text(nested?.message) ?? text(value.message) ?? text(value.content) ?? fieldErrors(value.errors);
  // The gateway puts the HTTP status in `code` and its own code in `http_code`; prefer the textual one.
  const code = text(nested?.http_code) ?? text(nested?.code) ?? text(value.code);
  if (message === undefined && code === undefined) return undefined;
  return { message, code };
}

/** Laravel validation errors `{"field":["…"]}` as one line, for bodies that carry no top-level message. */
function fieldErrors(errors: unknown): string | undefined {
  if (!isRecord(errors)) return undefined;
  const lines = Object.entries(errors).flatMap(([field, messages]) =>
    Array.isArray(messages) ? messages.filter((m) => typeof m === 'string').map((m) => `${field}: ${m}`) : [],
  );
  return lines.length > 0 ? lines.join('; ') : undefined;
}

/** For `HttpClient.errorMessage`: the API's own words from any error body. */
export function loopErrorMessage(body: string): string | undefined {
  const error = describeErrorBody(parseJson(body));
  return error?.message ?? error?.code;
}

export const isAlreadyClosed = (message: string | undefined) => /\bis closed\b/i.test(message ?? '');
export const isAlreadyCancelled = (message: string | undefined) => /\bis cancell?ed\b/i.test(message ?? '');
export const isFlaggedRefusal = (error: LoopErrorBody) =>
  error.code === 'UNPROCESSABLE_FLAGGED_RETURN' || /\bis flagged\b/i.test(error.message ?? '');
export const isNoSuchReturn = (error: LoopErrorBody) =>
  error.code === 'NOT_FOUND' || /no return found/i.test(error.message ?? '');
/** Codes that describe a failure on Loop's side rather than a problem with the request. */
export const isServerSideFailure = (error: LoopErrorBody) =>
  error.code === 'UNEXPECTED_ERROR' || /^FAILED_TO_/.test(error.code ?? '');
