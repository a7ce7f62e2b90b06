// Rules that recognise day phrases: ISO and numeric dates, "22. November", heute/morgen,
// weekdays with diesen/nächsten, "nächste Woche", "in 3 Tagen".
import type { Match, Piece, Rule } from './german-pieces.ts';
import {
  DAY_PREPOSITIONS, TIME_PREPOSITIONS, parseCardinal, parseMonthName, parseOrdinal, parseWeekday,
} from './german-text.ts';

const one = (next: number, ...pieces: Piece[]): Match => ({ pieces, next });

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:t(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** "2025-11-22", "2025-11-22T10:30" (local), "2025-11-22T10:30:00+01:00" (instant). */
const isoDate: Rule = ({ toks, i }) => {
  const m = ISO.exec(toks[i]!);
  if (!m) return null;
  if (m[6]) return one(i + 1, { kind: 'instant', iso: toks[i]!.toUpperCase() });
  const ymd: Piece = { kind: 'ymd', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] === undefined) return one(i + 1, ymd);
  return one(i + 1, ymd, { kind: 'clock', clock: { h: Number(m[4]), m: Number(m[5]), explicit24: true } });
};

/**
 * "22.11.", "22.11.2025", "22.11.25"; "22.11" without the final dot only in the datum field,
 * since in the uhrzeit field it is 22:11.
 */
const numericDate: Rule = ({ toks, i, field }) => {
  const m = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?$/.exec(toks[i]!);
  if (!m) return null;
  const closed = toks[i]!.split('.').length === 3;
  if (!closed && field !== 'datum') return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  const year = m[3] === undefined ? undefined : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  return one(i + 1, year === undefined ? { kind: 'ymd', month, day } : { kind: 'ymd', year, month, day });
};

/** "22. November", "22 Nov", "am dritten Dezember", "3. Dezember 2025". */
const dayMonthName: Rule = ({ toks, i }) => {
  const day = parseOrdinal(toks[i]) ?? (/^\d{1,2}$/.test(toks[i]!) ? Number(toks[i]) : null);
  const month = parseMonthName(toks[i + 1]);
  if (day === null || day < 1 || day > 31 || month === null) return null;
  const y = toks[i + 2];
  if (y !== undefined && /^\d{4}$/.test(y)) return one(i + 3, { kind: 'ymd', year: Number(y), month, day });
  return one(i + 2, { kind: 'ymd', month, day });
};

/** "am 22.", "den dritten", "am 3" — but "um 10." stays a time. */
const dayOfMonth: Rule = ({ toks, i }) => {
  const prev = toks[i - 1] ?? '';
  if (TIME_PREPOSITIONS.has(prev)) return null;
  const bare = DAY_PREPOSITIONS.has(prev) && /^\d{1,2}$/.test(toks[i]!) ? Number(toks[i]) : null;
  const day = parseOrdinal(toks[i]) ?? bare;
  if (day === null || day < 1 || day > 31) return null;
  return one(i + 1, { kind: 'dayOfMonth', day });
};

const RELATIVE: Record<string, number> = { heute: 0, morgen: 1, uebermorgen: 2, gestern: -1, vorgestern: -2 };

/**
 * heute/morgen/übermorgen (and gestern, so it can be refused as past).
 * "heute morgen" = this morning, "am Morgen" = in the morning: there "morgen" is a day part.
 */
const relativeDay: Rule = ({ toks, i }) => {
  const tok = toks[i]!;
  const days = RELATIVE[tok];
  if (days === undefined) return null;
  if (tok === 'morgen' && toks[i - 1] === 'am') return one(i + 1, { kind: 'dayPart', part: 'frueh' });
  const anchor: Piece = { kind: 'relDays', days, role: 'anchor' };
  if (tok === 'heute' && toks[i + 1] === 'morgen') return one(i + 2, anchor, { kind: 'dayPart', part: 'frueh' });
  return one(i + 1, anchor);
};

const NEXT = /^(naechst|nachst|kommend)(e|en|er|em|es)?$/;
const THIS = /^dies(e|en|er|em|es)?$/;
const AFTER_NEXT = /^uebernaechst(e|en|er|em|es)?$/;

function modifier(tok: string | undefined): 'next' | 'this' | 'afterNext' | null {
  if (tok === undefined) return null;
  if (NEXT.test(tok)) return 'next';
  if (THIS.test(tok)) return 'this';
  if (AFTER_NEXT.test(tok)) return 'afterNext';
  return null;
}

/** "Dienstag", "am Dienstag", "nächsten Dienstag", "diesen Freitag"; "Dienstag morgen" = Tuesday morning. */
const weekday: Rule = ({ toks, i }) => {
  const mod = modifier(toks[i]);
  const at = mod ? i + 1 : i;
  const wd = parseWeekday(toks[at]);
  if (wd === null) return null;
  const piece: Piece = { kind: 'weekday', weekday: wd, mode: mod ?? 'next' };
  if (toks[at + 1] === 'morgen') return one(at + 2, piece, { kind: 'dayPart', part: 'frueh' });
  return one(at + 1, piece);
};

/** "nächste Woche", "diese Woche", "übernächste Woche". */
const week: Rule = ({ toks, i }) => {
  const mod = modifier(toks[i]);
  if (!mod || toks[i + 1] !== 'woche') return null;
  return one(i + 2, { kind: 'week', offset: mod === 'this' ? 0 : mod === 'next' ? 1 : 2 });
};

/** "in 3 Tagen", "in einer Woche", "in zwei Wochen" — counted literally ("in acht Tagen" = +8). */
const inDays: Rule = ({ toks, i }) => {
  if (toks[i] !== 'in') return null;
  const n = parseCardinal(toks[i + 1], true);
  const unit = toks[i + 2];
  if (n === null || unit === undefined) return null;
  const perUnit = /^tag(e|en)?$/.test(unit) ? 1 : /^wochen?$/.test(unit) ? 7 : null;
  if (perUnit === null) return null;
  return one(i + 3, { kind: 'relDays', days: n * perUnit, role: 'offset' });
};

/** Order matters: the more specific shapes come first. */
export const DATE_RULES: readonly Rule[] = [isoDate, numericDate, dayMonthName, dayOfMonth, relativeDay, week, weekday, inDays];
