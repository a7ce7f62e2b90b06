// Rules that recognise day phrases: ISO and numeric dates, "22. November", heute/morgen,
// weekdays with diesen/nächsten, "nächste Woche", "in 3 Tagen", "in acht Tagen", the weekend,
// "Anfang nächster Woche", "Ende Februar", "am letzten Samstag im Februar", "nächstes Jahr",
// "in zwei Stunden". Named days and holidays are in german-named-days.ts.
import { namedDay } from './german-named-days.ts';
import type { DayRef, Match, Piece, Rule } from './german-pieces.ts';
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
  let year = m[3] === undefined ? undefined : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  // "19. 2. 2026" arrives as "19.2." followed by the year.
  const sep = closed && year === undefined && /^20\d{2}$/.test(toks[i + 1] ?? '') ? Number(toks[i + 1]) : undefined;
  if (sep !== undefined) year = sep;
  const next = sep !== undefined ? i + 2 : i + 1;
  return one(next, year === undefined ? { kind: 'ymd', month, day } : { kind: 'ymd', year, month, day });
};

/** A month as a spoken ordinal ("am vierten zwölften" = 4.12.); words only, "4. 12" stays apart. */
function spokenMonth(tok: string | undefined): number | null {
  if (tok === undefined || /\d/.test(tok)) return null;
  const n = parseOrdinal(tok);
  return n !== null && n <= 12 ? n : null;
}

/** "22. November", "22 Nov", "am dritten Dezember", "3. Dezember 2025", "am vierten zwölften". */
const dayMonthName: Rule = ({ toks, i }) => {
  const day = parseOrdinal(toks[i]) ?? (/^\d{1,2}$/.test(toks[i]!) ? Number(toks[i]) : null);
  const month = parseMonthName(toks[i + 1]) ?? (/\d/.test(toks[i]!) ? null : spokenMonth(toks[i + 1]));
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
  const piece: Piece = mod ? { kind: 'weekday', weekday: wd, mode: mod } : { kind: 'weekday', weekday: wd, mode: 'next', bare: true };
  if (toks[at + 1] === 'morgen') return one(at + 2, piece, { kind: 'dayPart', part: 'frueh' });
  return one(at + 1, piece);
};

/** "Montag bis Mittwoch", "von Dienstag bis Donnerstag", "zwischen Montag und Mittwoch". */
const weekdayRange: Rule = ({ toks, i }) => {
  const lead = toks[i] === 'von' || toks[i] === 'zwischen' ? toks[i] : undefined;
  let at = lead ? i + 1 : i;
  const mod = modifier(toks[at]);
  if (mod) at++;
  const from = parseWeekday(toks[at]);
  if (from === null || toks[at + 1] !== (lead === 'zwischen' ? 'und' : 'bis')) return null;
  const skip = toks[at + 2] === 'zum' || toks[at + 2] === 'einschliesslich' ? 1 : 0;
  const to = parseWeekday(toks[at + 2 + skip]);
  if (to === null || to === from) return null;
  return one(at + 3 + skip, { kind: 'weekdays', from, to, mode: mod ?? 'next' });
};

/** "nächste Woche", "diese Woche", "übernächste Woche". */
const week: Rule = ({ toks, i }) => {
  const mod = modifier(toks[i]);
  if (!mod || toks[i + 1] !== 'woche') return null;
  return one(i + 2, { kind: 'week', offset: mod === 'this' ? 0 : mod === 'next' ? 1 : 2 });
};

const HALF = new Set(['halben', 'halbe']);

/**
 * "in 3 Tagen", "in einer Woche", "in zwei Wochen", "in einem Monat". German counts "in acht Tagen"
 * inclusively: it means one week ("heute in acht Tagen" = +7, "Freitag in acht Tagen" = the Friday a
 * week later), as "in vierzehn Tagen" means two weeks. "in zwei Stunden", "in einer halben Stunde",
 * "in 30 Minuten" are instants from now.
 */
const inDays: Rule = ({ toks, i }) => {
  if (toks[i] !== 'in') return null;
  let at = i + 1;
  let n = parseCardinal(toks[at], true);
  if (n === null && toks[at] === 'anderthalb') n = 1.5;
  if (n === null) return null;
  at++;
  if (n === 1 && HALF.has(toks[at] ?? '')) (n = 0.5), at++;
  const unit = toks[at];
  if (unit === undefined) return null;
  if (/^stunden?$/.test(unit)) return one(at + 1, { kind: 'fromNow', minutes: Math.round(n * 60) });
  if (/^minuten?$/.test(unit) && Number.isInteger(n)) return one(at + 1, { kind: 'fromNow', minutes: n });
  if (!Number.isInteger(n)) return null;
  if (/^monat(e|en)?$/.test(unit)) return one(at + 1, { kind: 'relDays', days: 0, months: n, role: 'offset' });
  const perUnit = /^tag(e|en)?$/.test(unit) ? 1 : /^wochen?$/.test(unit) ? 7 : null;
  if (perUnit === null) return null;
  const days = perUnit === 1 && n === 8 ? 7 : n * perUnit;
  return one(at + 1, { kind: 'relDays', days, role: 'offset' });
};

/** "am Wochenende", "nächstes Wochenende", "dieses Wochenende", "übernächstes Wochenende". */
const weekend: Rule = ({ toks, i }) => {
  const mod = modifier(toks[i]);
  const at = mod ? i + 1 : i;
  if (toks[at] !== 'wochenende' && toks[at] !== 'weekend') return null;
  return one(at + 1, { kind: 'weekend', mode: mod ?? 'next' });
};

const PARTS: Record<string, 'start' | 'middle' | 'end'> = { anfang: 'start', beginn: 'start', mitte: 'middle', ende: 'end' };
const GLUED_WEEK: Record<string, 'start' | 'middle' | 'end'> = { wochenanfang: 'start', wochenbeginn: 'start', wochenmitte: 'middle' };

/** "Anfang der Woche", "Mitte nächster Woche", "Ende dieser Woche", "zum Wochenanfang". */
const weekPart: Rule = ({ toks, i }) => {
  const glued = GLUED_WEEK[toks[i]!];
  if (glued) return one(i + 1, { kind: 'weekPart', part: glued });
  const part = PARTS[toks[i]!];
  if (!part) return null;
  let at = i + 1;
  if (toks[at] === 'der') at++;
  const mod = modifier(toks[at]);
  if (mod) at++;
  if (toks[at] !== 'woche') return null;
  const week = mod === null ? undefined : mod === 'this' ? 0 : mod === 'next' ? 1 : 2;
  return one(at + 1, week === undefined ? { kind: 'weekPart', part } : { kind: 'weekPart', part, week });
};

const GLUED_MONTH: Record<string, 'start' | 'middle' | 'end'> = {
  monatsanfang: 'start', monatsbeginn: 'start', monatsmitte: 'middle', monatsende: 'end',
};

/** "Anfang Dezember", "Mitte Januar 2027", "Ende des Monats", "Anfang nächsten Monats", "zum Monatsende". */
const monthPart: Rule = ({ toks, i }) => {
  const glued = GLUED_MONTH[toks[i]!];
  if (glued) return one(i + 1, { kind: 'monthPart', part: glued, monthOffset: 0 });
  const part = PARTS[toks[i]!];
  if (!part) return null;
  const month = parseMonthName(toks[i + 1]);
  if (month !== null) {
    const y = toks[i + 2];
    if (y !== undefined && /^20\d{2}$/.test(y)) return one(i + 3, { kind: 'monthPart', part, month, year: Number(y) });
    return one(i + 2, { kind: 'monthPart', part, month });
  }
  let at = i + 1;
  if (toks[at] === 'des') at++;
  const mod = modifier(toks[at]);
  if (mod) at++;
  if (!/^monats?$/.test(toks[at] ?? '')) return null;
  return one(at + 1, { kind: 'monthPart', part, monthOffset: mod === 'next' ? 1 : mod === 'afterNext' ? 2 : 0 });
};

const LAST = /^letzt(e|en|er|em|es)?$/;

/** "am letzten Samstag im Februar", "am ersten Montag im März 2027", "zweiter Sonntag im Mai". */
const nthWeekday: Rule = ({ toks, i }) => {
  const n = LAST.test(toks[i]!) ? -1 : parseOrdinal(toks[i]);
  if (n === null || n === 0 || n > 5) return null;
  const wd = parseWeekday(toks[i + 1]);
  if (wd === null || !['im', 'in', 'des', 'diesen', 'dieses'].includes(toks[i + 2] ?? '')) return null;
  if (/^monats?$/.test(toks[i + 3] ?? '')) return one(i + 4, { kind: 'nthWeekday', n, weekday: wd });
  const month = parseMonthName(toks[i + 3]);
  if (month === null) return null;
  const y = toks[i + 4];
  if (y !== undefined && /^20\d{2}$/.test(y)) return one(i + 5, { kind: 'nthWeekday', n, weekday: wd, month, year: Number(y) });
  return one(i + 4, { kind: 'nthWeekday', n, weekday: wd, month });
};

/** "nächstes Jahr", "im kommenden Jahr", "dieses Jahr" — the year of a date said without one. */
const year: Rule = ({ toks, i }) => {
  const mod = modifier(toks[i]);
  if (!mod || !/^jahr(es)?$/.test(toks[i + 1] ?? '')) return null;
  return one(i + 2, { kind: 'year', offset: mod === 'this' ? 0 : mod === 'next' ? 1 : 2 });
};

/** A day in a date range at token i: "3.", "dritten", "3.3.", "3.3.2027", "5. März (2027)". */
function dayRefAt(toks: readonly string[], i: number): { ref: DayRef; next: number } | null {
  const tok = toks[i];
  if (tok === undefined) return null;
  const num = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?$/.exec(tok);
  if (num) {
    const year = num[3] === undefined ? undefined : num[3].length === 2 ? 2000 + Number(num[3]) : Number(num[3]);
    const ref: DayRef = { day: Number(num[1]), month: Number(num[2]), ...(year !== undefined ? { year } : {}) };
    return ref.day >= 1 && ref.day <= 31 && ref.month! >= 1 && ref.month! <= 12 ? { ref, next: i + 1 } : null;
  }
  // Only ordinals: a bare "3" could be an hour.
  const day = /^\d/.test(tok) && !tok.endsWith('.') ? null : parseOrdinal(tok);
  if (day === null) return null;
  const month = parseMonthName(toks[i + 1]);
  if (month === null) return { ref: { day }, next: i + 1 };
  const y = toks[i + 2];
  if (y !== undefined && /^20\d{2}$/.test(y)) return { ref: { day, month, year: Number(y) }, next: i + 3 };
  return { ref: { day, month }, next: i + 2 };
}

/** "vom 3. bis 5. März", "3. bis 5.3.", "zwischen dem 3. und dem 5. Dezember", "vom 3. bis zum 5.". */
const dateRange: Rule = ({ toks, i }) => {
  const lead = toks[i] === 'vom' || toks[i] === 'von' || toks[i] === 'zwischen' ? toks[i] : undefined;
  let at = lead ? i + 1 : i;
  if (lead === 'zwischen' && toks[at] === 'dem') at++;
  const from = dayRefAt(toks, at);
  if (!from) return null;
  at = from.next;
  if (toks[at] !== (lead === 'zwischen' ? 'und' : 'bis')) return null;
  at++;
  if (toks[at] === 'zum' || toks[at] === 'dem' || toks[at] === 'einschliesslich') at++;
  const to = dayRefAt(toks, at);
  if (!to) return null;
  return one(to.next, { kind: 'dateRange', from: from.ref, to: to.ref });
};

/** Order matters: the more specific shapes come first. */
export const DATE_RULES: readonly Rule[] = [
  namedDay, isoDate, dateRange, numericDate, nthWeekday, dayMonthName, dayOfMonth, relativeDay, weekend, weekPart, monthPart,
  week, year, weekdayRange, weekday, inDays,
];
