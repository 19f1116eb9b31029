/** Loop rejects notes of 255 characters or more ("must be less than 255"), counted as code points. */
export const LOOP_NOTE_MAX_CHARS = 254;

/** Trims a note and cuts it to Loop's limit, marking the cut with an ellipsis. */
export function fitLoopNote(content: string): string {
  const chars = Array.from(content.trim());
  if (chars.length <= LOOP_NOTE_MAX_CHARS) return chars.join('');
  return `${chars.slice(0, LOOP_NOTE_MAX_CHARS - 1).join('')}…`;
}
