/**
 * Finale returns collections column-major: one object whose values are parallel arrays, row i being
 * element i of each. Reading it as a list of records silently yields nothing, so every collection read
 * goes through here. Columns may differ in length or be missing; a row simply lacks what its column lacks.
 */
export function transposeColumns(columns: Record<string, unknown>): Record<string, unknown>[] {
  const arrays = Object.entries(columns).filter((entry): entry is [string, unknown[]] =>
    Array.isArray(entry[1]),
  );
  const rowCount = Math.max(0, ...arrays.map(([, values]) => values.length));
  return Array.from({ length: rowCount }, (_, row) =>
    Object.fromEntries(
      arrays.filter(([, values]) => row < values.length).map(([key, values]) => [key, values[row]]),
    ),
  );
}
