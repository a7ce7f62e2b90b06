// Rules that recognise times of day: "10 Uhr", "10:30", "15 Uhr 30", "halb elf", "Viertel nach zehn",
// "dreiviertel zehn", "kurz vor drei", "ab 16 Uhr", "zwischen 10 und 12", "nicht vor 10",
// "bis spätestens 17 Uhr", "10 Uhr oder später", day parts ("am frühen Nachmittag", "tagsüber").
// They only record what was said; choosing 3:00 vs 15:00 happens in german-date.ts.
import type { Cursor, DayPart, Match, Piece, Rule, SpokenClock } from './german-pieces.ts';
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

/**
 * "10:30", "10.30", "10:30:00", optionally followed by "Uhr"; typed "1030" only where it cannot be a
 * year (the uhrzeit field, after "um"/"ab"/…, or before "Uhr").
 */
const hhmm: ClockRule = ({ toks, i, field }) => {
  const tok = toks[i]!;
  const four = /^(\d{2})(\d{2})$/.exec(tok);
  const timeish = field === 'uhrzeit' || TIME_PREPOSITIONS.has(toks[i - 1] ?? '') || toks[i + 1] === 'uhr';
  const m = four && timeish ? [tok, four[1], four[2]] : /^(\d{1,2})(?::(\d{2})(?::\d{2})?|\.(\d{2}))$/.exec(tok);
  if (!m) return null;
  const hour = parseHour(m[1], false);
  const min = Number(m[2] ?? m[3]);
  if (!hour || min > 59) return null;
  return { clock: { h: hour.h, m: min, explicit24: hour.explicit24 }, next: skipUhr(toks, i + 1) };
};

const skipMinuten = (toks: readonly string[], j: number): number => (/^(minuten?|min)$/.test(toks[j] ?? '') ? j + 1 : j);

/** "10 Uhr", "15 Uhr 30", "zehn Uhr dreißig", "ein Uhr", "vierzehn Uhr und dreißig Minuten". */
const hourUhr: ClockRule = ({ toks, i }) => {
  const hour = parseHour(toks[i], true);
  if (!hour || toks[i + 1] !== 'uhr') return null;
  const und = toks[i + 2] === 'und' && /^(minuten?|min)$/.test(toks[i + 4] ?? '') ? 1 : 0;
  const min = parseCardinal(toks[i + 2 + und]);
  // "10 Uhr 11 Uhr" is two hours, not 10:11.
  if (min !== null && min <= 59 && toks[i + 3 + und] !== 'uhr') {
    return { clock: { ...hour, m: min }, next: skipMinuten(toks, i + 3 + und) };
  }
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

/** Hedges between a range word and its clock ("ab so etwa 10", "bis spätestens um 12"). */
const CLOCK_LEAD = new Set(['um', 'gegen', 'so', 'etwa', 'ca', 'circa', 'ungefaehr', 'punkt']);

/** A clock at token j, stepping over "um"/"gegen" ("ab um 10" happens in speech). */
function clockAt(c: Cursor, j: number): ClockMatch | null {
  let at = j;
  while (CLOCK_LEAD.has(c.toks[at] ?? '')) at++;
  if (at >= c.toks.length) return null;
  for (const rule of CLOCK_RULES) {
    const m = rule({ ...c, i: at });
    if (m) return withMeridiem(c.toks, m);
  }
  return null;
}

/**
 * "2:30 pm", "3 am" typed into a German field: the English suffix decides. "am" only counts at
 * the end of the phrase (or before a comma) — "10 am Montag" is German "10 on Monday".
 */
function withMeridiem(toks: readonly string[], m: ClockMatch): ClockMatch {
  const t = toks[m.next];
  const pm = t === 'pm' || t === 'p.m';
  const am = (t === 'am' || t === 'a.m') && (toks[m.next + 1] === undefined || toks[m.next + 1] === ',');
  if (!pm && !am) return m;
  // "14 pm" says nothing more than "14"; the suffix is just consumed.
  if (m.clock.h === 0 || m.clock.h > 12) return { ...m, next: m.next + 1 };
  const h = (m.clock.h % 12) + (pm ? 12 : 0);
  return { clock: { h, m: m.clock.m, explicit24: true }, next: m.next + 1 };
}

const clock: Rule = (c) => {
  const m = clockAt(c, c.i);
  return m ? { pieces: [{ kind: 'clock', clock: m.clock }], next: m.next } : null;
};

/**
 * Words that open a range before a clock, with the side they bound. "nicht" flips the next one
 * ("nicht vor 10" = from 10, "nicht nach 17" = by 17), "als" joins ("nicht später als 17").
 */
const DIRECTION: Record<string, 'from' | 'to'> = {
  ab: 'from', nach: 'from', fruehestens: 'from', spaeter: 'from', bis: 'to', vor: 'to', spaetestens: 'to', frueher: 'to',
};
/** Words after which the end itself still counts: "bis spätestens 17" lets a 17:00 start in. */
const INCLUSIVE_TO = new Set(['spaetestens']);

type Bound = { side: 'from' | 'to'; inclusive: boolean };

/** Reads "ab", "bis spätestens", "nicht vor", "frühestens ab", "nicht später als" from token i. */
function boundWords(toks: readonly string[], i: number): { bound: Bound; next: number } | null {
  let at = i;
  let negate = false;
  const sides = new Set<'from' | 'to'>();
  let inclusive = false;
  for (;;) {
    const t = toks[at];
    if (t === 'nicht') negate = !negate;
    else if (t === 'als' && sides.size) { /* "später als" */ }
    else if (t !== undefined && DIRECTION[t]) {
      const side = negate ? (DIRECTION[t] === 'from' ? 'to' : 'from') : DIRECTION[t]!;
      // "nicht nach 17" / "nicht später als 17": 17:00 itself is still fine.
      if (INCLUSIVE_TO.has(t) || (negate && side === 'to')) inclusive = true;
      sides.add(side);
      negate = false;
    } else break;
    at++;
  }
  if (sides.size !== 1 || negate) return null;
  return { bound: { side: [...sides][0]!, inclusive }, next: at };
}

/** After a clock: "oder später", "und später", "oder früher", "spätestens", "frühestens". */
function trailingBound(toks: readonly string[], j: number): { bound: Bound; next: number } | null {
  const joined = toks[j] === 'oder' || toks[j] === 'und' ? j + 1 : j;
  const t = toks[joined];
  if (t === 'spaeter' && joined > j) return { bound: { side: 'from', inclusive: false }, next: joined + 1 };
  // "ab 10 Uhr aufwärts", "von 10 Uhr an"
  const last = toks[j + 1] === undefined || toks[j + 1] === ',';
  // ("um 10 an Heiligabend": that "an" belongs to the day.)
  if (joined === j && (t === 'aufwaerts' || (t === 'an' && last))) return { bound: { side: 'from', inclusive: false }, next: j + 1 };
  if (t === 'frueher' && joined > j) return { bound: { side: 'to', inclusive: true }, next: joined + 1 };
  if (joined === j && t === 'spaetestens') return { bound: { side: 'to', inclusive: true }, next: j + 1 };
  if (joined === j && t === 'fruehestens') return { bound: { side: 'from', inclusive: false }, next: j + 1 };
  return null;
}

function openRange(clock: SpokenClock, bound: Bound, next: number): Match {
  const piece: Piece = bound.side === 'from'
    ? { kind: 'range', from: clock }
    : { kind: 'range', to: clock, ...(bound.inclusive ? { toInclusive: true } : {}) };
  return { pieces: [piece], next };
}

/**
 * "ab 16 Uhr", "bis 12", "zwischen 10 und 12", "von 14 bis 16 Uhr", "10 bis 12", "nicht vor 10",
 * "bis spätestens 17 Uhr", "frühestens ab 14", "10 Uhr oder später": a window of start times.
 */
const range: Rule = (c) => {
  const tok = c.toks[c.i]!;
  if (tok === 'zwischen' || tok === 'von') {
    const a = clockAt(c, c.i + 1);
    if (!a) return null;
    if (tok === 'von' && c.toks[a.next] === 'an') return openRange(a.clock, { side: 'from', inclusive: false }, a.next + 1);
    if (c.toks[a.next] !== (tok === 'zwischen' ? 'und' : 'bis')) return null;
    const b = clockAt(c, a.next + 1);
    if (!b) return null;
    return { pieces: [{ kind: 'range', from: a.clock, to: b.clock }], next: b.next };
  }
  const lead = boundWords(c.toks, c.i);
  if (!lead) {
    // "10 bis 12", "um 10 bis 12 Uhr", "10 Uhr oder später"
    const a = clockAt(c, c.i);
    if (!a) return null;
    const tail = trailingBound(c.toks, a.next);
    if (tail) return openRange(a.clock, tail.bound, tail.next);
    if (c.toks[a.next] !== 'bis') return null;
    const b = clockAt(c, a.next + 1);
    return b ? { pieces: [{ kind: 'range', from: a.clock, to: b.clock }], next: b.next } : null;
  }
  const m = clockAt(c, lead.next);
  if (!m) return null;
  // "ab 14 bis 16 Uhr": both ends.
  if (lead.bound.side === 'from' && c.toks[m.next] === 'bis') {
    const b = clockAt(c, m.next + 1);
    if (b) return { pieces: [{ kind: 'range', from: m.clock, to: b.clock }], next: b.next };
  }
  // "ab 14 Uhr oder später", "bis 17 Uhr spätestens": the same side said twice.
  const tail = trailingBound(c.toks, m.next);
  if (tail && tail.bound.side === lead.bound.side) {
    return openRange(m.clock, { side: lead.bound.side, inclusive: lead.bound.inclusive || tail.bound.inclusive }, tail.next);
  }
  return openRange(m.clock, lead.bound, m.next);
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
  nachmittags: 'nachmittag', abend: 'abend', abends: 'abend', feierabend: 'abend',
};

const EARLY = /^frueh(e|en|er|em|eren|erer|erem)?$/;
const LATE = /^spaet(e|en|er|em|eren|erer|erem)?$/;

/**
 * "nachmittags", "am Vormittag", "früh", "am frühen Nachmittag", "spätnachmittags", "am späten
 * Abend". ("morgen" as a day part is handled by the date rules.)
 */
const dayPart: Rule = ({ toks, i }) => {
  const tok = toks[i]!;
  const shade = EARLY.test(tok) ? 'early' : LATE.test(tok) ? 'late' : undefined;
  const shaded = shade && DAY_PARTS[toks[i + 1] ?? ''];
  if (shade && shaded) {
    // "früh morgens" is just early.
    if (shaded === 'frueh') return { pieces: [{ kind: 'dayPart', part: 'frueh' }], next: i + 2 };
    return { pieces: [{ kind: 'dayPart', part: shaded, shade }], next: i + 2 };
  }
  const part = DAY_PARTS[tok];
  return part ? { pieces: [{ kind: 'dayPart', part }], next: i + 1 } : null;
};

const WHOLE_DAY = new Set(['tagsueber', 'ganztags', 'ganztaegig', 'jederzeit']);
const MEALS = /^(mittagessen|mittag|mittagspause|essen|lunch)$/;
const noon = (h: number): SpokenClock => ({ h, m: 0, explicit24: true });

/**
 * "tagsüber", "den ganzen Tag" (the whole business day); "in der Mittagspause" (12–14);
 * "nach dem Mittagessen" (from 13:00),
 * "vor dem Mittagessen" (before 12:00), "nach Feierabend" / "nach der Arbeit" (evening).
 */
const dayWords: Rule = ({ toks, i }) => {
  const tok = toks[i]!;
  if (WHOLE_DAY.has(tok)) return { pieces: [{ kind: 'range' }], next: i + 1 };
  // "in der Mittagspause": the usual lunch break, 12–14 (narrower than "mittags", 11–14).
  if (tok === 'mittagspause') {
    return { pieces: [{ kind: 'dayPart', part: 'mittag' }, { kind: 'range', from: noon(12), to: noon(14) }], next: i + 1 };
  }
  if (tok === 'ueber' && /^mittags?$/.test(toks[i + 1] ?? '')) return { pieces: [{ kind: 'dayPart', part: 'mittag' }], next: i + 2 };
  if (tok === 'ganzen' && toks[i + 1] === 'tag') return { pieces: [{ kind: 'range' }], next: i + 2 };
  // "ab Mittag" / "bis Mittag": noon itself is the bound.
  if ((tok === 'ab' || tok === 'bis') && /^mittags?$/.test(toks[i + 1] ?? '')) {
    return { pieces: [tok === 'ab' ? { kind: 'range', from: noon(12) } : { kind: 'range', to: noon(12) }], next: i + 2 };
  }
  if (tok !== 'nach' && tok !== 'vor') return null;
  const at = toks[i + 1] === 'dem' || toks[i + 1] === 'der' ? i + 2 : i + 1;
  const what = toks[at] ?? '';
  if (MEALS.test(what)) {
    const piece: Piece = tok === 'nach' ? { kind: 'range', from: noon(13) } : { kind: 'range', to: noon(12) };
    return { pieces: [piece], next: at + 1 };
  }
  if (tok === 'nach' && (what === 'feierabend' || (what === 'arbeit' && at === i + 2))) {
    return { pieces: [{ kind: 'dayPart', part: 'abend' }], next: at + 1 };
  }
  return null;
};

export const TIME_RULES: readonly Rule[] = [roughly, range, dayWords, clock, dayPart];
