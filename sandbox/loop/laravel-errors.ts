/** Laravel's 422 body: the first message on top, every message per field below. */
export function validationError(errors: Record<string, string>): {
  message: string;
  errors: Record<string, string[]>;
} {
  const entries = Object.entries(errors);
  const extra = entries.length - 1;
  const first = entries[0]?.[1] ?? 'The given data was invalid.';
  return {
    message: extra > 0 ? `${first} (and ${extra} more error${extra > 1 ? 's' : ''})` : first,
    errors: Object.fromEntries(entries.map(([field, message]) => [field, [message]])),
  };
}
