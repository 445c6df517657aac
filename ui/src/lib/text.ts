// Small text helpers for messages.

export interface TextPart {
  text: string;
  code: boolean;
}

/** Splits "Found `icmis_id`, which…" into plain and code parts (the backticks mark code). */
export function splitCode(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pieces = text.split("`");
  // An odd number of backticks leaves the last piece unmatched: keep it plain, with its tick.
  const balanced = pieces.length % 2 === 1;
  pieces.forEach((piece, i) => {
    const code = i % 2 === 1 && (balanced || i < pieces.length - 1);
    const value = !code && i % 2 === 1 ? "`" + piece : piece;
    if (value) parts.push({ text: value, code });
  });
  return parts;
}

/** "Summary. Fix." as one line for an error shown next to a field. */
export function joinSentences(...parts: (string | null | undefined)[]): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .join(" ");
}
