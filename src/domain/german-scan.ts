// Runs the rule functions over a tokenized phrase. Strict on purpose: a word that no rule
// consumes and that is not a known filler makes the phrase unparseable, because asking the
// caller again is cheaper than booking a misread day ("morgen früh" must never become Friday).
import { DATE_RULES } from './german-date-rules.ts';
import type { Field, Piece, Rule } from './german-pieces.ts';
import { FILLERS, tokenize } from './german-text.ts';
import { TIME_RULES } from './german-time-rules.ts';

// The field decides who gets the first look at an ambiguous token ("22.11" is a date in
// `datum`, 22:11 in `uhrzeit`); both fields still understand both kinds of phrase.
const ORDER: Record<Field, readonly Rule[]> = {
  datum: [...DATE_RULES, ...TIME_RULES],
  uhrzeit: [...TIME_RULES, ...DATE_RULES],
};

/** The pieces recognised in `text`, or null when some word is not understood. */
export function scanPhrase(text: string, field: Field): Piece[] | null {
  const toks = tokenize(text);
  const pieces: Piece[] = [];
  let i = 0;
  next: while (i < toks.length) {
    for (const rule of ORDER[field]) {
      const m = rule({ toks, i, field });
      if (m) {
        pieces.push(...m.pieces);
        i = m.next;
        continue next;
      }
    }
    if (!FILLERS.has(toks[i]!)) return null;
    i++;
  }
  return pieces;
}
