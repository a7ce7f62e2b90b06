// Rule for holidays and other named days as callers say them ("Heiligabend", "Ostermontag",
// "am Tag vor Heiligabend", "zwei Tage nach Ostern", "Buß- und Bettag"). Only the words live here;
// the dates come from date-holidays (holidays.ts) when the day is resolved against the clock.
import type { NamedDayKey } from './holidays.ts';
import type { Rule } from './german-pieces.ts';
import { parseCardinal, parseWeekday } from './german-text.ts';

/** Spoken forms (normalized tokens, space separated) → named day. Longer forms are tried first. */
const ALIASES: Record<string, NamedDayKey> = {
  neujahr: 'neujahr', neujahrstag: 'neujahr', 'heilige drei koenige': 'dreikoenig', dreikoenig: 'dreikoenig',
  dreikoenigstag: 'dreikoenig', valentinstag: 'valentinstag',
  weiberfastnacht: 'weiberfastnacht', 'fetter donnerstag': 'weiberfastnacht', 'schmotziger donnerstag': 'weiberfastnacht',
  rosenmontag: 'rosenmontag', faschingsdienstag: 'faschingsdienstag', fastnachtsdienstag: 'faschingsdienstag',
  veilchendienstag: 'faschingsdienstag', karnevalsdienstag: 'faschingsdienstag', aschermittwoch: 'aschermittwoch',
  frauentag: 'frauentag', weltfrauentag: 'frauentag', 'internationaler frauentag': 'frauentag',
  gruendonnerstag: 'gruendonnerstag', karfreitag: 'karfreitag', karsamstag: 'karsamstag', ostersamstag: 'karsamstag',
  ostern: 'ostersonntag', ostersonntag: 'ostersonntag', ostermontag: 'ostermontag',
  'tag der arbeit': 'tagDerArbeit', maifeiertag: 'tagDerArbeit', muttertag: 'muttertag',
  'christi himmelfahrt': 'himmelfahrt', himmelfahrt: 'himmelfahrt', himmelfahrtstag: 'himmelfahrt', vatertag: 'himmelfahrt',
  pfingsten: 'pfingstsonntag', pfingstsonntag: 'pfingstsonntag', pfingstmontag: 'pfingstmontag',
  fronleichnam: 'fronleichnam', 'mariae himmelfahrt': 'mariaeHimmelfahrt', 'maria himmelfahrt': 'mariaeHimmelfahrt',
  'tag der deutschen einheit': 'einheit', 'tag der einheit': 'einheit', reformationstag: 'reformationstag',
  allerheiligen: 'allerheiligen', martinstag: 'martinstag', 'sankt martin': 'martinstag', 'st martin': 'martinstag',
  'buss und bettag': 'bussUndBettag', busstag: 'bussUndBettag', 'buss und bettags': 'bussUndBettag',
  totensonntag: 'totensonntag', ewigkeitssonntag: 'totensonntag',
  'erster advent': 'advent1', 'ersten advent': 'advent1', '1. advent': 'advent1',
  'zweiter advent': 'advent2', 'zweiten advent': 'advent2', '2. advent': 'advent2',
  'dritter advent': 'advent3', 'dritten advent': 'advent3', '3. advent': 'advent3',
  'vierter advent': 'advent4', 'vierten advent': 'advent4', '4. advent': 'advent4',
  nikolaus: 'nikolaus', nikolaustag: 'nikolaus',
  heiligabend: 'heiligabend', 'heilig abend': 'heiligabend', 'heiliger abend': 'heiligabend',
  'heiligen abend': 'heiligabend', weihnachtsabend: 'heiligabend',
  weihnachten: 'weihnachten1', weihnachtstag: 'weihnachten1', 'erster weihnachtstag': 'weihnachten1',
  'ersten weihnachtstag': 'weihnachten1', '1. weihnachtstag': 'weihnachten1', 'erster weihnachtsfeiertag': 'weihnachten1',
  'ersten weihnachtsfeiertag': 'weihnachten1', '1. weihnachtsfeiertag': 'weihnachten1',
  'zweiter weihnachtstag': 'weihnachten2', 'zweiten weihnachtstag': 'weihnachten2', '2. weihnachtstag': 'weihnachten2',
  'zweiter weihnachtsfeiertag': 'weihnachten2', 'zweiten weihnachtsfeiertag': 'weihnachten2',
  '2. weihnachtsfeiertag': 'weihnachten2', stephanstag: 'weihnachten2',
  silvester: 'silvester', silvestertag: 'silvester', sylvester: 'silvester',
};

const BY_LENGTH = Object.entries(ALIASES)
  .map(([words, key]) => ({ words: words.split(' '), key }))
  .sort((a, b) => b.words.length - a.words.length);

/** The named day at token i, e.g. ["tag","der","deutschen","einheit"] → einheit. */
function namedAt(toks: readonly string[], i: number): { key: NamedDayKey; next: number } | null {
  for (const { words, key } of BY_LENGTH) {
    if (words.every((w, k) => toks[i + k] === w)) return { key, next: i + words.length };
  }
  // "Silvesterabend", "Ostermontags": a day-part or genitive tail does not change the day.
  const t = toks[i];
  if (t && /(abend|s)$/.test(t)) {
    const stem = t.replace(/abend$/, '').replace(/s$/, '');
    const key = ALIASES[stem];
    if (key && key !== 'heiligabend') return { key, next: i + 1 };
  }
  return null;
}

/**
 * "Heiligabend", "an Ostern", "am Tag vor Heiligabend", "einen Tag nach Ostern",
 * "zwei Tage vor Weihnachten", "am Montag nach Ostern".
 */
export const namedDay: Rule = ({ toks, i }) => {
  const direct = namedAt(toks, i);
  if (direct) return { pieces: [{ kind: 'named', key: direct.key, shiftDays: 0 }], next: direct.next };
  // "am Montag nach Ostern", "den Freitag vor Pfingsten"
  const wd = parseWeekday(toks[i]);
  if (wd !== null && (toks[i + 1] === 'vor' || toks[i + 1] === 'nach')) {
    const at = toks[i + 2] === 'dem' || toks[i + 2] === 'der' ? i + 3 : i + 2;
    const named = namedAt(toks, at);
    if (named) return { pieces: [{ kind: 'named', key: named.key, shiftDays: toks[i + 1] === 'vor' ? -1 : 1, weekday: wd }], next: named.next };
  }
  let at = i;
  const count = parseCardinal(toks[at], true);
  if (count !== null) at++;
  if (!/^tag(e|en)?$/.test(toks[at] ?? '')) return null;
  const dir = toks[at + 1];
  if (dir !== 'vor' && dir !== 'nach') return null;
  at += 2;
  if (toks[at] === 'dem' || toks[at] === 'der' || toks[at] === 'den') at++;
  const named = namedAt(toks, at);
  if (!named) return null;
  const n = count ?? 1;
  return { pieces: [{ kind: 'named', key: named.key, shiftDays: dir === 'vor' ? -n : n }], next: named.next };
};
