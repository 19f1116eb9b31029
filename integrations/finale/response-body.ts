/**
 * Finale's error bodies are undocumented and vary: a plain string, or JSON with `errorMessage`, `error`,
 * `message` or an `errors` list. Some failed calls even answer 2xx with such a body, so every body is
 * read through here before it is trusted.
 */

const MAX_MESSAGE_LENGTH = 500;

export type FinaleBody = { ok: true; value: unknown } | { ok: false; message: string };

const truncate = (text: string) =>
  text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function describeErrors(errors: unknown): string | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const parts = errors.map((entry) =>
    isRecord(entry)
      ? (nonEmptyString(entry.errorMessage) ?? nonEmptyString(entry.message) ?? JSON.stringify(entry))
      : String(entry),
  );
  return parts.join('; ');
}

/** The message an error-shaped JSON object carries, if any. */
function messageOf(value: Record<string, unknown>): string | undefined {
  return (
    nonEmptyString(value.errorMessage) ??
    nonEmptyString(value.error) ??
    nonEmptyString(value.message) ??
    describeErrors(value.errors)
  );
}

function parseJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(text) as unknown };
  } catch {
    return { parsed: false };
  }
}

/** The API's own explanation in a non-2xx body (for the shared HttpClient's error mapping). */
export function finaleErrorMessage(body: string): string | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  const json = parseJson(text);
  const message = !json.parsed
    ? text
    : typeof json.value === 'string'
      ? nonEmptyString(json.value)
      : isRecord(json.value)
        ? messageOf(json.value)
        : undefined;
  return message === undefined ? undefined : truncate(message);
}

/**
 * Reads a 2xx body that should be JSON. Anything that signals failure instead (a plain string,
 * `success: false`, a non-empty `errorMessage` or `errors`) comes back as `{ ok: false }` with its message.
 */
export function readFinaleBody(body: string): FinaleBody {
  const text = body.trim();
  if (text === '') return { ok: false, message: 'Finale sent an empty response' };
  const json = parseJson(text);
  if (!json.parsed) return { ok: false, message: truncate(text) };
  const value = json.value;
  if (typeof value === 'string') return { ok: false, message: truncate(value.trim() || 'empty message') };
  if (!isRecord(value)) return { ok: true, value };
  const failed =
    value.success === false ||
    nonEmptyString(value.errorMessage) !== undefined ||
    (Array.isArray(value.errors) && value.errors.length > 0);
  if (!failed) return { ok: true, value };
  return { ok: false, message: truncate(messageOf(value) ?? 'Finale reported failure (success: false)') };
}
