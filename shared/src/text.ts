/**
 * Text rules shared by the BFF and the mini-program. Lengths are counted in characters (Unicode code
 * points), as people count them, never in UTF-16 units; text is cut at a grapheme boundary, so an
 * emoji, a CJK character outside the BMP or a flag is never split in two.
 */

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Whether PostgreSQL can store the text as written: no NUL (text columns refuse it) and no lone
 * surrogate (not a character at all: jsonb refuses it, a text column silently turns it into U+FFFD).
 * A plain loop rather than a regex with lookbehind, which older iOS mini-program runtimes cannot parse.
 */
export function isStorableText(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return false;
    if (isHigh(unit)) {
      if (!isLow(text.charCodeAt(i + 1))) return false;
      i += 1;
    } else if (isLow(unit)) {
      return false;
    }
  }
  return true;
}

/** Characters (code points) in the text: what every length limit counts. */
export const charCount = (text: string): number => Array.from(text).length;

let graphemes: Intl.Segmenter | null | undefined;

/** User-perceived characters (Intl.Segmenter where the runtime has it, else code points). */
function splitGraphemes(text: string): string[] {
  // Some mini-program runtimes lack Intl.Segmenter; code points are the safe fallback.
  if (graphemes === undefined) graphemes = typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  return graphemes ? Array.from(graphemes.segment(text), (s) => s.segment) : Array.from(text);
}

/**
 * The one way text is shortened: at most `maxChars` code points including the ellipsis, cut at a
 * grapheme boundary. Text that fits is returned unchanged.
 */
export function cutText(text: string, maxChars: number, ellipsis = '…'): string {
  if (charCount(text) <= maxChars) return text;
  const budget = maxChars - charCount(ellipsis);
  let kept = '';
  let used = 0;
  for (const g of splitGraphemes(text)) {
    const n = charCount(g);
    if (used + n > budget) break;
    kept += g;
    used += n;
  }
  return kept + ellipsis;
}

/** Replaces what isStorableText refuses with U+FFFD: for text from other systems that must be kept, not refused. */
export function toStorableText(text: string): string {
  if (isStorableText(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (isHigh(unit) && isLow(text.charCodeAt(i + 1))) {
      out += text[i] + text[i + 1];
      i += 1;
    } else {
      out += unit === 0 || isHigh(unit) || isLow(unit) ? '\ufffd' : text[i];
    }
  }
  return out;
}
