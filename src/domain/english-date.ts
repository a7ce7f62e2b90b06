// English date/time phrases ("tomorrow at 3:30 pm", "next Tuesday", "December 4", "in the
// afternoon") read by chrono-node's English parser and turned into the same pieces the German rules
// produce, so both languages share one set of readings (next Tuesday = the next one after today,
// am/pm from business hours when not said, past dates refused, …). chrono only recognises; which
// day and hour that means is decided in resolve-day.ts / resolve-time.ts.
//
// Strict like the German scanner: every word chrono did not consume must be a known filler or a
// bound we understand ("after", "no later than", "or later"); "not", "or", "except", "last week",
// anything unknown makes the field unparseable instead of being ignored.
import * as chrono from 'chrono-node';
import type { DayPart, Field, Piece, SpokenClock } from './german-pieces.ts';
import type { NamedDayKey } from './holidays.ts';
import type { Ctx } from './resolve-day.ts';

const FILLERS = new Set([
  'at', 'on', 'in', 'the', 'a', 'an', 'around', 'about', 'approximately', 'approx', 'roughly', 'circa', 'maybe',
  'perhaps', 'please', 'pls', 'um', 'uh', 'uhm', 'er', 'erm', 'hmm', 'hm', 'like', 'say', 'lets', 'let', 'us', 'i',
  'we', 'would', 'could', 'can', 'prefer', 'preferably', 'ideally', 'best', 'be', 'is', 'it', 'its', 'fine', 'good',
  'great', 'ok', 'okay', 'works', 'work', 'for', 'me', 'appointment', 'sometime', 'some', 'time', 'any', 'possible',
  'if', 'you', 'do', 'have', 'free', 'something', 'oclock', 'sharp', 'then', 'so', 'well', 'yes', 'yeah', 'just',
  'also', 'date', 'day', 'of', 'there', 'anything', 'available', 'want', 'book', 'come', 'how', 'what',
  'about', 'soon', 'possibly', 'exactly', 'precisely', 'sounds', 'that', 'please', 'thanks', 'thank', 'sure',
  'guess', 'think', 'suppose', 'hopefully', 'ish', 'whenever', 'preferred', 'preference', 'anytime',
  'coming', 'upcoming', 'over',
]);

/** Named days chrono does not know, by their English names (dates come from date-holidays). */
const NAMED: Record<string, NamedDayKey> = {
  'christmas eve': 'heiligabend', 'christmas day': 'weihnachten1', christmas: 'weihnachten1', 'boxing day': 'weihnachten2',
  "new year's eve": 'silvester', 'new years eve': 'silvester', "new year's day": 'neujahr', 'new years day': 'neujahr',
  'good friday': 'karfreitag', 'easter sunday': 'ostersonntag', easter: 'ostersonntag', 'easter monday': 'ostermontag',
  'ascension day': 'himmelfahrt', 'whit sunday': 'pfingstsonntag', pentecost: 'pfingstsonntag', 'whit monday': 'pfingstmontag',
  'corpus christi': 'fronleichnam', 'labour day': 'tagDerArbeit', 'labor day': 'tagDerArbeit', 'may day': 'tagDerArbeit',
  "mother's day": 'muttertag', 'mothers day': 'muttertag', "valentine's day": 'valentinstag', 'valentines day': 'valentinstag',
  'all saints day': 'allerheiligen', "all saints' day": 'allerheiligen', 'reformation day': 'reformationstag',
  'german unity day': 'einheit', 'ash wednesday': 'aschermittwoch', 'shrove tuesday': 'faschingsdienstag',
  'carnival monday': 'rosenmontag', 'rose monday': 'rosenmontag', 'st nicholas day': 'nikolaus', "st. nicholas' day": 'nikolaus',
};
const NAMED_RE = new RegExp(
  `\\b(?:the )?(${Object.keys(NAMED).sort((a, b) => b.length - a.length).map((k) => k.replace(/[.']/g, (c) => `\\${c}`)).join('|')})\\b`,
  'g',
);

/** Meal times chrono does not know; what they mean as a window, like the German "Mittagspause". */
const MEALS: Record<string, Piece> = {
  'after lunch': { kind: 'range', from: { h: 13, m: 0, explicit24: true } },
  'before lunch': { kind: 'range', to: { h: 12, m: 0, explicit24: true } },
  'lunch time': { kind: 'dayPart', part: 'mittag' }, lunchtime: { kind: 'dayPart', part: 'mittag' },
  'lunch break': { kind: 'dayPart', part: 'mittag' }, 'over lunch': { kind: 'dayPart', part: 'mittag' },
  'at lunch': { kind: 'dayPart', part: 'mittag' }, 'after work': { kind: 'dayPart', part: 'abend' },
};
const MEALS_RE = new RegExp(`\\b(${Object.keys(MEALS).sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');

/** Hour words, so chrono (which reads digits) sees "at 10" for "at ten". */
const HOUR_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const MINUTE_WORDS: Record<string, string> = { 'fifteen': '15', thirty: '30', 'forty five': '45', 'forty-five': '45', 'oh five': '05' };
const CLOCK_WORDS_RE = new RegExp(
  `\\b(at|around|about|by|before|after|until|till|from|to)\\s+(${Object.keys(HOUR_WORDS).join('|')})(?:\\s+(${Object.keys(MINUTE_WORDS).join('|')}))?\\b`,
  'g',
);

/** "early next week", "late afternoon": words before a week or a day part that narrow it. */
const NARROW: Record<string, 'start' | 'middle' | 'end'> = {
  early: 'start', beginning: 'start', start: 'start', 'start of': 'start', 'beginning of': 'start',
  mid: 'middle', middle: 'middle', 'middle of': 'middle', late: 'end', end: 'end', 'end of': 'end',
};

/** Words before a time that bound a window ("after 3 pm", "no later than 5"), fillers removed. */
const LEADING: Record<string, Bound> = {
  after: { side: 'from', inclusive: false }, from: { side: 'from', inclusive: false },
  'not before': { side: 'from', inclusive: false }, 'no earlier than': { side: 'from', inclusive: false },
  'not earlier than': { side: 'from', inclusive: false }, 'earliest': { side: 'from', inclusive: false },
  starting: { side: 'from', inclusive: false }, 'any time after': { side: 'from', inclusive: false },
  before: { side: 'to', inclusive: false }, until: { side: 'to', inclusive: false }, till: { side: 'to', inclusive: false },
  til: { side: 'to', inclusive: false }, 'up to': { side: 'to', inclusive: true }, 'no later than': { side: 'to', inclusive: true },
  'not later than': { side: 'to', inclusive: true }, 'not after': { side: 'to', inclusive: true },
  latest: { side: 'to', inclusive: true }, by: { side: 'to', inclusive: true },
};
/** Words after a time: "3 pm or later", "5 pm at the latest". */
const TRAILING: Record<string, Bound> = {
  'or later': { side: 'from', inclusive: false }, 'or after': { side: 'from', inclusive: false },
  earliest: { side: 'from', inclusive: false }, 'or earlier': { side: 'to', inclusive: true },
  'or before': { side: 'to', inclusive: true }, latest: { side: 'to', inclusive: true },
};

interface Bound {
  side: 'from' | 'to';
  inclusive: boolean;
}

const PARTS: Record<string, DayPart> = { morning: 'vormittag', afternoon: 'nachmittag', evening: 'abend', tonight: 'abend' };

/** Pieces for an English phrase, or null when it is not (entirely) understood. */
export function scanEnglish(text: string, _field: Field, ctx: Ctx): Piece[] | null {
  const prepared = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/(^|[\s,;])(date|time|day|when)\s*:(?!\d)/g, '$1 ')
    // chrono reads "from 2 to 4 pm" as a range but not "between 2 and 4 pm".
    .replace(/\bbetween\s+(\S+(?:\s*(?:am|pm|a\.m\.|p\.m\.))?)\s+and\s+/g, 'from $1 to ');
  if (!/[a-z]/.test(prepared)) return null;
  // Named days are cut out (same length, so chrono's indexes still fit) and read from our table.
  const pieces: Piece[] = [];
  const rest = prepared
    .replace(CLOCK_WORDS_RE, (_m, pre: string, hour: string, min?: string) => `${pre} ${HOUR_WORDS[hour]}${min ? `:${MINUTE_WORDS[min]}` : ''}`)
    // chrono reads "before 10" / "around 3" only with minutes; the hour alone is just as clear.
    .replace(/\b(before|after|until|till|by|around|about|from|at|since)\s+(\d{1,2})(?![\d:.]|\s*(?:am|pm|a\.m|p\.m|o'?clock|h\b))/g, '$1 $2:00')
    .replace(/(^|\s)(\d{1,2})(?=\s+or\s+(?:later|earlier|after|before)\b)/g, '$1$2:00')
    .replace(MEALS_RE, (m, meal: string) => {
      pieces.push(MEALS[meal]!);
      return ' '.repeat(m.length);
    })
    .replace(NAMED_RE, (m, name: string) => {
      pieces.push({ kind: 'named', key: NAMED[name]!, shiftDays: 0 });
      return ' '.repeat(m.length);
    });
  let results: chrono.ParsedResult[];
  try {
    results = chrono.en.casual.parse(rest, { instant: ctx.now.toJSDate(), timezone: ctx.now.offset }, { forwardDate: true });
  } catch {
    return null;
  }
  // Only fillers ("anytime", "whenever"): nothing said, nothing misread.
  if (!results.length && !pieces.length) return meaningful(rest) === '' && /[a-z]{3}/.test(rest) ? [] : null;

  let cursor = 0;
  let dayResults = 0;
  let relative = false;
  for (const r of [...results].sort((a, b) => a.index - b.index)) {
    const gap = meaningful(rest.slice(cursor, r.index));
    const lead = gap ? LEADING[gap] : undefined;
    const narrow = gap ? NARROW[gap] : undefined;
    const own = resultPieces(r, ctx, lead);
    if (!own) return null;
    // "this coming Tuesday": the next Tuesday, as plain "Tuesday".
    const thisComing = gap === 'this' && own.some((p) => p.kind === 'weekday');
    if (gap && !lead && !narrow && !thisComing) return null;
    if (narrow && !narrowed(own, narrow)) return null;
    // "a week on Tuesday" comes as two results ("a week", "Tuesday") that chrono does not combine:
    // a relative day next to another day statement is not read as one. ("Tuesday" + "the 17th
    // of February" is fine: resolve-day checks that they agree.)
    if (own.some(isDayPiece)) {
      dayResults++;
      relative ||= r.tags().has('result/relativeDate');
      if (dayResults > 1 && relative) return null;
    }
    pieces.push(...own);
    cursor = r.index + r.text.length;
  }
  const tail = meaningful(rest.slice(cursor));
  const lastWeekday = pieces.map((p) => p.kind).lastIndexOf('weekday');
  if (tail === 'after next' && lastWeekday >= 0) {
    // "Tuesday after next"
    pieces[lastWeekday] = { ...(pieces[lastWeekday] as Extract<Piece, { kind: 'weekday' }>), mode: 'afterNext' };
  } else if (tail) {
    const bound = TRAILING[tail];
    const last = pieces.at(-1);
    if (!bound || !last || last.kind !== 'clock') return null;
    pieces[pieces.length - 1] = boundRange(last.clock, bound);
  }
  return pieces;
}

function isDayPiece(p: Piece): boolean {
  return !['clock', 'range', 'dayPart', 'fromNow'].includes(p.kind);
}

/** The words of a gap that are not fillers, joined by single spaces ('' when none). */
function meaningful(gap: string): string {
  return gap
    .replace(/['’]/g, '')
    .split(/[\s,.;:!?()"-]+/)
    .filter((w) => w && !FILLERS.has(w))
    .join(' ');
}

/** Narrows the week or day part of a result in place ("early next week", "late afternoon"). */
function narrowed(pieces: Piece[], to: 'start' | 'middle' | 'end'): boolean {
  const k = pieces.findIndex((p) => p.kind === 'week' || p.kind === 'dayPart');
  const p = pieces[k];
  if (!p) return false;
  if (p.kind === 'week') {
    pieces.splice(k, 1, { kind: 'weekPart', part: to, week: p.offset });
    return !pieces.some((q) => q.kind === 'weekday');
  }
  if (p.kind === 'dayPart' && to !== 'middle') {
    pieces[k] = { ...p, shade: to === 'start' ? 'early' : 'late' };
    return true;
  }
  return false;
}

function boundRange(clock: SpokenClock, b: Bound): Piece {
  return b.side === 'from' ? { kind: 'range', from: clock } : { kind: 'range', to: clock, ...(b.inclusive ? { toInclusive: true } : {}) };
}

type Components = chrono.ParsedComponents;

/** A clock as the German rules would record it: ambiguous 1–12 unless am/pm, 0, 13–23 or "08:00". */
function clockOf(c: Components, text: string): SpokenClock {
  const h = c.get('hour') ?? 0;
  const m = c.get('minute') ?? 0;
  const explicit24 = c.isCertain('meridiem') || h > 12 || h === 0 || /(^|\D)0\d[:.]?\d{2}/.test(text);
  return { h, m, explicit24 };
}

function resultPieces(r: chrono.ParsedResult, ctx: Ctx, lead: Bound | undefined): Piece[] | null {
  const t = r.text;
  const c = r.start;
  const tags = r.tags();
  const out: Piece[] = [];

  // "in 2 hours", "in 30 minutes": an instant from now.
  if (tags.has('result/relativeDateAndTime')) {
    if (lead) return null;
    const minutes = Math.round((r.start.date().getTime() - ctx.now.toMillis()) / 60_000);
    return minutes > 0 ? [{ kind: 'fromNow', minutes }] : null;
  }

  const day = dayPieces(r);
  if (!day) return null;
  out.push(...day);
  // chrono sometimes tags "morning tomorrow" without setting the day.
  if (!c.isCertain('day')) {
    const rel = tags.has('casualReference/tomorrow') ? 1 : tags.has('casualReference/today') ? 0 : tags.has('casualReference/yesterday') ? -1 : undefined;
    if (rel !== undefined) out.push({ kind: 'relDays', days: rel, role: 'anchor' });
  }

  for (const [ref, part] of Object.entries(PARTS)) {
    if (tags.has(`casualReference/${ref}`)) {
      out.push({ kind: 'dayPart', part });
      // "this afternoon", "tonight": today, which chrono leaves implied.
      if (!c.isCertain('day') && (/\bthis\b/.test(t) || ref === 'tonight')) out.push({ kind: 'relDays', days: 0, role: 'anchor' });
    }
  }

  if (r.end && c.isCertain('hour') && r.end.isCertain('hour')) {
    if (lead) return null;
    out.push({ kind: 'range', from: clockOf(c, t), to: clockOf(r.end, t) });
  } else if (c.isCertain('hour')) {
    const clock = clockOf(c, t);
    // chrono keeps "from"/"since" in its own text ("from 3 pm"): an open start, not 15:00 sharp.
    const own = /^(from|since)\b/.test(t) ? LEADING.from : undefined;
    const bound = lead ?? own;
    out.push(bound ? boundRange(clock, bound) : { kind: 'clock', clock });
  } else if (lead) return null;
  return out;
}

/** The day part of a chrono result, interpreted with the German readings. */
function dayPieces(r: chrono.ParsedResult): Piece[] | null {
  const t = r.text;
  const c = r.start;
  const past = /\b(last|past|previous|ago|yesterday)\b/.test(t);
  if (/\bweek/.test(t) && !past && !/\d|\bweeks\b|\b(a|one) week\b|from now/.test(t)) {
    const offset = /after next/.test(t) ? 2 : /\b(next|coming|following)\b/.test(t) ? 1 : /\b(this|current)\b/.test(t) ? 0 : undefined;
    if (/weekend/.test(t)) return [{ kind: 'weekend', mode: offset === 2 ? 'afterNext' : offset === 0 ? 'this' : 'next' }];
    const part = /\bend\b/.test(t) ? 'end' : /\b(beginning|start|early)\b/.test(t) ? 'start' : /\b(middle|mid|midweek)\b/.test(t) ? 'middle' : undefined;
    if (part) return [offset === undefined ? { kind: 'weekPart', part } : { kind: 'weekPart', part, week: offset }];
    if (offset === undefined) return null;
    const week: Piece = { kind: 'week', offset };
    if (c.isCertain('weekday')) return [{ kind: 'weekday', weekday: isoWeekday(c.get('weekday')!), mode: 'next' }, week];
    return [week];
  }
  const out: Piece[] = [];
  if (c.isCertain('day') && c.isCertain('month')) {
    const ymd = { kind: 'ymd' as const, month: c.get('month')!, day: c.get('day')! };
    out.push(c.isCertain('year') ? { ...ymd, year: c.get('year')! } : ymd);
  } else if (c.isCertain('month') || c.isCertain('year')) {
    return null; // "next month", "in March": no day named
  }
  if (c.isCertain('weekday') && !(c.isCertain('day') && /\b(in|from now)\b/.test(t))) {
    if (past) {
      // "last Friday" lies behind us: refused downstream as a past date.
      if (!out.length) out.push({ kind: 'relDays', days: -1, role: 'anchor' });
    } else {
      const mode = /\bafter next\b/.test(t) ? 'afterNext' : /\bthis\b/.test(t) ? 'this' : 'next';
      out.push({ kind: 'weekday', weekday: isoWeekday(c.get('weekday')!), mode });
    }
  }
  return out;
}

/** chrono counts Sunday as 0, ISO (and luxon) as 7. */
function isoWeekday(w: number): number {
  return w === 0 ? 7 : w;
}
