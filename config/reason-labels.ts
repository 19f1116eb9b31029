// How Loop reason labels are matched, in one place: the tenant-settings schema, onboarding and the return
// plan (workflow code) all use this function, so what is accepted as distinct is what the plan tells apart.
// Imports nothing, so workflow code may import it.

/** How two labels are compared, in words for messages to merchants and operators. */
export const reasonLabelMatching = 'ignoring capitals, surrounding quotes and repeated spaces';

/**
 * The key a reason label is matched under: trimmed, surrounding quotes stripped, runs of spaces collapsed,
 * lower-cased. `""` for a label that is blank once normalised.
 */
export function reasonLabelKey(label: string): string {
  return label
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export interface LabelCollision {
  /** Position of the later label in the list given. */
  index: number;
  label: string;
  /** The earlier label it matches. */
  earlier: string;
}

/** Every label that matches an earlier one in `labels` (blank labels are left to the caller). */
export function labelCollisions(labels: readonly string[]): LabelCollision[] {
  const seen = new Map<string, string>();
  const collisions: LabelCollision[] = [];
  labels.forEach((label, index) => {
    const key = reasonLabelKey(label);
    if (key === '') return;
    const earlier = seen.get(key);
    if (earlier === undefined) seen.set(key, label);
    else collisions.push({ index, label, earlier });
  });
  return collisions;
}

/** What to tell the person who typed two labels that match as one. */
export const collisionMessage = (what: string, { earlier, label }: LabelCollision) =>
  `${what} ${JSON.stringify(earlier)} and ${JSON.stringify(label)} are the same once compared ` +
  `${reasonLabelMatching} (that is how returns are matched): keep only one`;
