// Rules that recognise times of day: "10 Uhr", "10:30", "15 Uhr 30", "halb elf", "Viertel nach zehn",
// "dreiviertel zehn", "kurz vor drei", "ab 16 Uhr", "zwischen 10 und 12", day parts.
// They only record what was said; choosing 3:00 vs 15:00 happens in german-date.ts.
import type { Cursor, DayPart, Rule, SpokenClock } from './german-pieces.ts';
import { DAY_PREPOSITIONS, TIME_PREPOSITIONS, parseCardinal } from './german-text.ts';

interface ClockMatch {
  clock: SpokenClock;
  next: number;
}
type ClockRule = (c: Cursor) => ClockMatch | null;

interface Hour {
  h: number;
  explicit24: boolean;
}

/** An hour 0–23 as digits or words; "08" (leading zero), 0 and 13–23 are unambiguous 24-hour readings. */
function parseHour(token: string | undefined, allowEin: boolean): Hour | null {
  const h = parseCardinal(token, allowEin);
  if (h === null || h > 23) return null;
  return { h, explicit24: h > 12 || h === 0 || /^0\d$/.test(token!) };
}

/**
 * Builds a clock from minutes after midnight. Ambiguous clocks are kept on a 12-hour dial
 * (1–12) so "fünf vor eins" becomes 12:55, not 0:55.
 */
function clockFromMinutes(total: number, explicit24: boolean): SpokenClock {
  const t = ((total % 1440) + 1440) % 1440;
  const h = Math.floor(t / 60);
  return { h: explicit24 ? h : h % 12 || 12, m: t % 60, explicit24 };
}

const skipUhr = (toks: readonly string[], j: number): number => (toks[j] === 'uhr' ? j + 1 : j);

/** "10:30", "10.30", "10:30:00", optionally followed by "Uhr". */
const hhmm: ClockRule = ({ toks, i }) => {
  const m = /^(\d{1,2})(?::(\d{2})(?::\d{2})?|\.(\d{2}))$/.exec(toks[i]!);
  if (!m) return null;
  const hour = parseHour(m[1], false);
  const min = Number(m[2] ?? m[3]);
  if (!hour || min > 59) return null;
  return { clock: { h: hour.h, m: min, explicit24: hour.explicit24 }, next: skipUhr(toks, i + 1) };
};

/** "10 Uhr", "15 Uhr 30", "zehn Uhr dreißig", "ein Uhr". */
const hourUhr: ClockRule = ({ toks, i }) => {
  const hour = parseHour(toks[i], true);
  if (!hour || toks[i + 1] !== 'uhr') return null;
  const min = parseCardinal(toks[i + 2]);
  // "10 Uhr 11 Uhr" is two hours, not 10:11.
  if (min !== null && min <= 59 && toks[i + 3] !== 'uhr') return { clock: { ...hour, m: min }, next: i + 3 };
  return { clock: { ...hour, m: 0 }, next: i + 2 };
};

/** "halb elf" = 10:30, "viertel elf" = 10:15, "dreiviertel elf" / "drei viertel elf" = 10:45 (southern usage). */
const quarterOf: ClockRule = ({ toks, i }) => {
  let before: number;
  let at = i + 1;
  if (toks[i] === 'halb') before = 30;
  else if (toks[i] === 'viertel') before = 45;
  else if (toks[i] === 'dreiviertel') before = 15;
  else if (toks[i] === 'drei' && toks[i + 1] === 'viertel') (before = 15), (at = i + 2);
  else return null;
  const hour = parseHour(toks[at], true);
  if (!hour) return null;
  return { clock: clockFromMinutes(hour.h * 60 - before, hour.explicit24), next: skipUhr(toks, at + 1) };
};

/** "Viertel nach zehn", "Viertel vor drei", "zehn nach zehn", "fünf vor halb elf". */
const minutesNachVor: ClockRule = ({ toks, i }) => {
  const offset = toks[i] === 'viertel' ? 15 : parseCardinal(toks[i]);
  const dir = toks[i + 1];
  if (offset === null || offset < 1 || offset > 29 || (dir !== 'nach' && dir !== 'vor')) return null;
  const halb = toks[i + 2] === 'halb';
  const at = halb ? i + 3 : i + 2;
  const hour = parseHour(toks[at], true);
  if (!hour) return null;
  const base = hour.h * 60 - (halb ? 30 : 0);
  const total = dir === 'nach' ? base + offset : base - offset;
  return { clock: clockFromMinutes(total, hour.explicit24), next: skipUhr(toks, at + 1) };
};

/**
 * "um 10", "zehn", "zehn dreißig", "10 30". Not after "am"/"den" (those make it a day of month),
 * and "10." only where it cannot be an ordinal day ("um 10.", or in the uhrzeit field).
 */
const bareHour: ClockRule = ({ toks, i, field }) => {
  const prev = toks[i - 1] ?? '';
  if (DAY_PREPOSITIONS.has(prev)) return null;
  let tok = toks[i]!;
  if (tok.endsWith('.')) {
    if (!TIME_PREPOSITIONS.has(prev) && field !== 'uhrzeit') return null;
    tok = tok.slice(0, -1);
  }
  const hour = parseHour(tok, false);
  if (!hour) return null;
  const next = toks[i + 1];
  const min = next !== undefined && !/^\d$/.test(next) ? parseCardinal(next) : null;
  if (min !== null && min <= 59) return { clock: { ...hour, m: min }, next: skipUhr(toks, i + 2) };
  return { clock: { ...hour, m: 0 }, next: i + 1 };
};

const CLOCK_RULES: readonly ClockRule[] = [hhmm, hourUhr, minutesNachVor, quarterOf, bareHour];

/** A clock at token j, stepping over "um"/"gegen" ("ab um 10" happens in speech). */
function clockAt(c: Cursor, j: number): ClockMatch | null {
  let at = j;
  while (c.toks[at] === 'um' || c.toks[at] === 'gegen') at++;
  if (at >= c.toks.length) return null;
  for (const rule of CLOCK_RULES) {
    const m = rule({ ...c, i: at });
    if (m) return m;
  }
  return null;
}

const clock: Rule = (c) => {
  const m = clockAt(c, c.i);
  return m ? { pieces: [{ kind: 'clock', clock: m.clock }], next: m.next } : null;
};

const FROM_WORDS = new Set(['ab', 'nach', 'fruehestens']);
const TO_WORDS = new Set(['bis', 'vor', 'spaetestens']);

/** "ab 16 Uhr", "bis 12", "zwischen 10 und 12", "von 14 bis 16 Uhr", "10 bis 12": a window of start times. */
const range: Rule = (c) => {
  const tok = c.toks[c.i]!;
  if (tok === 'zwischen' || tok === 'von') {
    const a = clockAt(c, c.i + 1);
    if (!a || c.toks[a.next] !== (tok === 'zwischen' ? 'und' : 'bis')) return null;
    const b = clockAt(c, a.next + 1);
    if (!b) return null;
    return { pieces: [{ kind: 'range', from: a.clock, to: b.clock }], next: b.next };
  }
  const from = FROM_WORDS.has(tok);
  if (!from && !TO_WORDS.has(tok)) {
    // "10 bis 12", "um 10 bis 12 Uhr"
    const a = clockAt(c, c.i);
    if (!a || c.toks[a.next] !== 'bis') return null;
    const b = clockAt(c, a.next + 1);
    return b ? { pieces: [{ kind: 'range', from: a.clock, to: b.clock }], next: b.next } : null;
  }
  const m = clockAt(c, c.i + 1);
  if (!m) return null;
  return { pieces: [{ kind: 'range', ...(from ? { from: m.clock } : { to: m.clock }) }], next: m.next };
};

/** "kurz nach zehn" → 10:00–10:15, "kurz vor drei" → 2:45–3:00 (a window, not an invented minute). */
const roughly: Rule = (c) => {
  const dir = c.toks[c.i + 1];
  if (c.toks[c.i] !== 'kurz' || (dir !== 'nach' && dir !== 'vor')) return null;
  const m = clockAt(c, c.i + 2);
  if (!m) return null;
  const at = m.clock.h * 60 + m.clock.m;
  const other = clockFromMinutes(dir === 'nach' ? at + 15 : at - 15, m.clock.explicit24);
  const [from, to] = dir === 'nach' ? [m.clock, other] : [other, m.clock];
  return { pieces: [{ kind: 'range', from, to, anchor: dir === 'nach' ? 'from' : 'to' }], next: m.next };
};

const DAY_PARTS: Record<string, DayPart> = {
  frueh: 'frueh', morgens: 'frueh', vormittag: 'vormittag', vormittags: 'vormittag',
  mittag: 'mittag', mittags: 'mittag', mittagszeit: 'mittag', nachmittag: 'nachmittag',
  nachmittags: 'nachmittag', abend: 'abend', abends: 'abend',
};

/** "nachmittags", "am Vormittag", "früh". ("morgen" as a day part is handled by the date rules.) */
const dayPart: Rule = ({ toks, i }) => {
  const part = DAY_PARTS[toks[i]!];
  return part ? { pieces: [{ kind: 'dayPart', part }], next: i + 1 } : null;
};

export const TIME_RULES: readonly Rule[] = [roughly, range, clock, dayPart];
