// Runs the rule functions over a tokenized phrase. Strict on purpose: a word that no rule
// consumes and that is not a known filler makes the phrase unparseable, because asking the
// caller again is cheaper than booking a misread day ("morgen früh" must never become Friday).
import { DATE_RULES } from './german-date-rules.ts';
import type { Field, Piece, Rule } from './german-pieces.ts';
import { FILLERS, PREFERENCES, tokenize } from './german-text.ts';
import { TIME_RULES } from './german-time-rules.ts';

// The field decides who gets the first look at an ambiguous token ("22.11" is a date in
// `datum`, 22:11 in `uhrzeit`); both fields still understand both kinds of phrase.
const ORDER: Record<Field, readonly Rule[]> = {
  datum: [...DATE_RULES, ...TIME_RULES],
  uhrzeit: [...TIME_RULES, ...DATE_RULES],
};

function match(toks: readonly string[], i: number, field: Field) {
  for (const rule of ORDER[field]) {
    const m = rule({ toks, i, field });
    if (m) return m;
  }
  return null;
}

/** The pieces recognised in `text`, or null when some word is not understood. */
export function scanPhrase(text: string, field: Field): Piece[] | null {
  const toks = tokenize(text);
  const pieces: Piece[] = [];
  let i = 0;
  while (i < toks.length) {
    const m = match(toks, i, field);
    if (m) {
      pieces.push(...m.pieces);
      i = m.next;
    } else if (toks[i] === 'nicht') {
      // "nicht Montag, sondern Dienstag": the negated part is read (so it must be understood)
      // and dropped. Any other "nicht" that no rule took ("nicht vor 10") refuses the phrase.
      const after = skipNegated(toks, i + 1, field);
      if (after === null) return null;
      i = after;
    } else if (PREFERENCES.has(toks[i]!)) {
      // "lieber übermorgen": kept only when what follows is understood right away.
      let j = i + 1;
      while (j < toks.length && FILLERS.has(toks[j]!)) j++;
      if (!match(toks, j, field)) return null;
      i = j;
    } else if (FILLERS.has(toks[i]!)) i++;
    else return null;
  }
  return pieces;
}

/** Words that turn from the negated part to the meant one ("nicht morgen, lieber übermorgen"). */
const TURN = new Set(['sondern', 'lieber', 'eher', 'besser', 'aber']);

/** Index after "…, sondern" when toks from i on are an understood phrase followed by "sondern". */
function skipNegated(toks: readonly string[], i: number, field: Field): number | null {
  let read = false;
  while (i < toks.length) {
    if (TURN.has(toks[i]!)) return read ? i + 1 : null;
    const m = match(toks, i, field);
    if (m) (read = true), (i = m.next);
    else if (FILLERS.has(toks[i]!)) i++;
    else return null;
  }
  return null;
}
