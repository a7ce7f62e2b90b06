// Normalizer, tokenizer and small lexicons for spoken German date/time phrases.
// Rules downstream match plain ASCII tokens, so every spelling variant is folded here once.

/** Lowercase, fold umlauts/ß to ASCII ("nächsten" → "naechsten"), NFC first so "ä" as a+◌̈ folds too. */
export function normalizeGerman(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss');
}

const WEEKDAY_STEMS = 'montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag';
const DAYPART_STEMS = 'frueh|morgen|vormittag|mittag|nachmittag|abend|nacht';
// "10-12 Uhr", "10:00 – 12:00" are ranges; the guard keeps ISO dates ("2025-11-22") intact.
const CLOCK_DASH = /(^|[^\d-])(\d{1,2}(?:[:.]\d{2})?)\s*[-–]\s*(\d{1,2}(?:[:.]\d{2})?)(?![\d-])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(t[\d:.]+(z|[+-]\d{2}(:?\d{2})?)?)?$/;

/**
 * Written and transcribed forms folded to the spoken shapes the rules know: echoed labels
 * ("Uhrzeit: 15 Uhr"), "10 : 30", "19. 2.", "3.März", "14h", "10:30h", "14h30", "16/02".
 */
function unifyWritten(text: string): string {
  return text
    .replace(/(^|[\s,;])(datum|uhrzeit|zeit|tag|wann|termin|date|time|day)\s*:(?!\d)/g, '$1 ')
    // "16/02", "16/02/2027": day first, as Germans write it.
    .replace(/(^|[^\d/])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/g, (_m, pre: string, d: string, mo: string, y?: string) =>
      `${pre}${d}.${mo}.${y ?? ''}`)
    .replace(/(\d{1,2})\s*:\s*(\d{2})(?!\d)/g, '$1:$2')
    .replace(/(^|[^\d.:])(\d{1,2})\.\s+(\d{1,2})\.(?!\d)/g, '$1$2.$3.')
    .replace(/(\d)\.(?=[a-z])/g, '$1. ')
    .replace(/(^|[^\d.:])(\d{1,2}(?:[:.]\d{2})?)\s?h(?![a-z])(\d{2})?/g, (_m, pre: string, clock: string, min?: string) =>
      `${pre}${clock} uhr${min ? ` ${min}` : ''}`);
}

/** Clipped speech forms ("heut", "morgn") and short written forms, mapped to the full word. */
const CLIPPED: Record<string, string> = {
  heut: 'heute', morgn: 'morgen', uebermorgn: 'uebermorgen', nachm: 'nachmittags', vorm: 'vormittags',
  naechstn: 'naechsten', kommendn: 'kommenden', zw: 'zwischen', nen: 'einen', ne: 'eine', nem: 'einem', ner: 'einer',
};

/**
 * Splits a phrase into tokens. Keeps "22.11.2025", "10:30", "3." and ISO strings whole
 * (the dot of an ordinal matters: "am 3." is a day, "um 3" an hour), keeps commas as boundaries,
 * drops other punctuation, and splits glued forms ("dienstagnachmittag", "10uhr30", "dienstag-abend").
 */
export function tokenize(text: string): string[] {
  // A comma token stops rules reading across it: "10 Uhr, 11 Uhr" are two times, not 10:11.
  const words = unifyWritten(normalizeGerman(text))
    .replace(CLOCK_DASH, '$1$2 bis $3')
    .replace(/[,;]/g, ' , ')
    // "wenn's", "geht's": the clitic stays on its word, so the filler list knows "wenns", "gehts".
    .replace(/(\p{L})['’´`]s\b/gu, '$1s')
    .replace(/[!?()"'’´`„“”«»/–—…=<>{}\[\]*_#]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const out: string[] = [];
  for (const word of words) {
    if (ISO_DATE.test(word)) {
      out.push(word);
      continue;
    }
    for (const part of word.split('-').filter(Boolean)) out.push(...splitGlued(part));
  }
  return out;
}

function splitGlued(word: string): string[] {
  // Words lose a sentence-final dot; numbers keep it ("22.11.", "3.").
  const w = /\d/.test(word) ? word : word.replace(/\.+$/, '');
  if (!w) return [];
  if (CLIPPED[w]) return [CLIPPED[w]];
  // "spätnachmittags", "frühabends": an early/late day part.
  const shaded = /^(frueh|spaet)(vormittag|nachmittag|abend)s?$/.exec(w);
  if (shaded) return [shaded[1]!, shaded[2]!];
  const compound = new RegExp(`^(${WEEKDAY_STEMS})(${DAYPART_STEMS})s?$`).exec(w);
  if (compound) return [compound[1]!, compound[2]!];
  const uhr = /^(\d{1,2})uhr(\d{2})?$/.exec(w);
  if (uhr) return uhr[2] ? [uhr[1]!, 'uhr', uhr[2]] : [uhr[1]!, 'uhr'];
  return [w];
}

const UNITS: Record<string, number> = {
  null: 0, eins: 1, zwei: 2, zwo: 2, drei: 3, vier: 4, fuenf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9,
  zehn: 10, elf: 11, zwoelf: 12, dreizehn: 13, vierzehn: 14, fuenfzehn: 15, sechzehn: 16, siebzehn: 17,
  achtzehn: 18, neunzehn: 19, zwanzig: 20, dreissig: 30, vierzig: 40, fuenfzig: 50,
};
const EIN_FORMS = new Set(['ein', 'eine', 'einer', 'einem', 'einen']);
const COMPOUND = /^(ein|zwei|drei|vier|fuenf|sechs|sieben|acht|neun)und(zwanzig|dreissig|vierzig|fuenfzig)$/;

/**
 * A cardinal 0–59 written as digits or German words ("zehn", "fuenfundzwanzig").
 * "ein/eine/einer…" only when allowEin: as a bare word it is an article far more often than "1".
 */
export function parseCardinal(token: string | undefined, allowEin = false): number | null {
  if (token === undefined) return null;
  if (/^\d{1,2}$/.test(token)) return Number(token);
  if (allowEin && EIN_FORMS.has(token)) return 1;
  const unit = UNITS[token];
  if (unit !== undefined) return unit;
  const c = COMPOUND.exec(token);
  if (c) return (c[1] === 'ein' ? 1 : UNITS[c[1]!]!) + UNITS[c[2]!]!;
  return null;
}

const ORDINAL_STEMS: Record<string, number> = {
  erst: 1, zweit: 2, dritt: 3, viert: 4, fuenft: 5, sechst: 6, siebt: 7, siebent: 7, acht: 8, neunt: 9,
  zehnt: 10, elft: 11, zwoelft: 12, dreizehnt: 13, vierzehnt: 14, fuenfzehnt: 15, sechzehnt: 16,
  siebzehnt: 17, achtzehnt: 18, neunzehnt: 19,
};

/** A day ordinal 1–31: "3.", "3ten", "dritten", "einundzwanzigsten". */
export function parseOrdinal(token: string | undefined): number | null {
  if (token === undefined) return null;
  const digits = /^(\d{1,2})(\.|te|ten|ter|tem)$/.exec(token);
  if (digits) return inDayRange(Number(digits[1]));
  const low = /^([a-z]+?)e[nrms]?$/.exec(token);
  if (low && ORDINAL_STEMS[low[1]!] !== undefined) return ORDINAL_STEMS[low[1]!]!;
  const high = /^([a-z]+)ste[nrms]?$/.exec(token);
  if (high) {
    const n = parseCardinal(high[1]);
    if (n !== null && n >= 20) return inDayRange(n);
  }
  return null;
}

function inDayRange(n: number): number | null {
  return n >= 1 && n <= 31 ? n : null;
}

/** ISO weekday (1 = Monday) by German name. */
export const WEEKDAYS: Record<string, number> = {
  montag: 1, dienstag: 2, mittwoch: 3, donnerstag: 4, freitag: 5, samstag: 6, sonnabend: 6, sonntag: 7,
};

/** Written abbreviations ("Do., 27.11."); "so" is left out, it is a filler word ("so gegen 10"). */
const WEEKDAY_ABBREVIATIONS: Record<string, number> = { mo: 1, di: 2, mi: 3, do: 4, fr: 5, sa: 6 };

/** Weekday from a name, the adverb form ("dienstags") or an abbreviation. Whole tokens only. */
export function parseWeekday(token: string | undefined): number | null {
  if (token === undefined) return null;
  return WEEKDAYS[token] ?? WEEKDAYS[token.replace(/s$/, '')] ?? WEEKDAY_ABBREVIATIONS[token] ?? null;
}

const MONTHS: Record<string, number> = {
  januar: 1, jaenner: 1, jan: 1, februar: 2, feber: 2, feb: 2, maerz: 3, mrz: 3, mar: 3, april: 4, apr: 4,
  mai: 5, juni: 6, jun: 6, juli: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9,
  oktober: 10, okt: 10, november: 11, nov: 11, dezember: 12, dez: 12,
};

/** Month 1–12 from a German name or its usual abbreviation ("Nov", "Nov."). */
export function parseMonthName(token: string | undefined): number | null {
  if (token === undefined) return null;
  return MONTHS[token] ?? null;
}

/**
 * Words that carry no date/time meaning of their own; skipped when no rule consumes them.
 * Hesitations and hedges ("äh", "so um 10 rum", "am besten", "ungefähr") belong here; words that
 * can change the meaning ("nicht", "oder", "außer", "kein", "sondern", "nein") never do: they are
 * understood by a rule ("nicht vor 10", "10 oder später") or the phrase is refused.
 * "lieber"/"eher" are not fillers: see PREFERENCES.
 */
export const FILLERS = new Set([
  ',', 'um', 'am', 'an', 'den', 'dem', 'der', 'die', 'das', 'des', 'ist', 'gegen', 'so', 'etwa', 'ca', 'circa',
  'ungefaehr', 'bitte', 'vielleicht', 'also', 'dann', 'es', 'waere', 'ginge', 'geht', 'passt', 'mir', 'uns',
  'gerne', 'gern', 'zu', 'zur', 'zum', 'im', 'in', 'ja', 'mal', 'auch', 'noch', 'uhr',
  'und', 'zwar', 'wenn', 'moeglich', 'termin', 'einen', 'ich', 'haette', 'wir', 'irgendwann',
  // hesitations and hedges
  'aeh', 'aehm', 'aehh', 'oehm', 'oeh', 'hm', 'hmm', 'hmmm', 'mh', 'mhm', 'ehm', 'em', 'rum', 'herum', 'punkt',
  'genau', 'gleich', 'schon', 'besten', 'moeglichst', 'naja', 'na',
  'okay', 'ok', 'gut', 'prima', 'super', 'eigentlich', 'halt', 'eben', 'denn', 'erst', 'wieder', 'nur', 'ganz',
  'recht', 'sehr', 'sagen', 'egal', 'wann', 'was', 'etwas', 'frei', 'da', 'bei', 'ihnen',
  'sie', 'haben', 'habt', 'ihr', 'kann', 'koennte', 'koennten', 'koennen', 'komme', 'kommen', 'vorbei',
  'vorbeikommen', 'moechte', 'wuerde', 'wuerden', 'will', 'wollte', 'brauche', 'braeuchte', 'hab', 'habe',
  'hatte', 'mit', 'wie', 'waers', 'fuer', 'mich', 'einem', 'einer', 'eine', 'ein', 'gehen', 'klappt',
  'klappen', 'sieht', 'aus', 'dran', 'drann', 'uhrzeit', 'datum', 'ab',
  // "am Montag, aber nicht vor 10": the restriction after it is read by its own rule.
  'aber', 'alles', 'hauptsache', 'passen', 'passend', 'waeren', 'sind', 'ggf', 'evtl', 'eventuell',
  'wohl', 'bestimmt', 'sicher', 'dort', 'immer', 'irgendwie', 'perfekt', 'ideal', 'optimal', 'toll',
  'wunderbar', 'klasse', 'schoen', 'machbar', 'wenns', 'gehts', 'waers', 'gibts', 'siehts', 'hats', 'ists',
  'passts', 'klappts', 'waer', 'haetten', 'hattet', 'nehm', 'nehme', 'nehmen', 'gibt', 'hat',
]);

/**
 * "lieber nachmittags", "eher Dienstag": a preference for what follows, which must then be
 * understood (german-scan.ts). A correction ("morgen, lieber übermorgen") names two days and is
 * refused as a conflict when the day is resolved; "lieber nicht" is refused by its "nicht".
 */
export const PREFERENCES = new Set(['lieber', 'eher', 'besser', 'vorzugsweise', 'idealerweise', 'liebsten']);

/** Prepositions before a number that mark it as a day of month ("am 3", "den 22") … */
export const DAY_PREPOSITIONS = new Set(['am', 'den', 'dem']);
/** … or as a clock time ("um 3", "ab 10"). */
export const TIME_PREPOSITIONS = new Set(['um', 'gegen', 'ab', 'bis', 'nach', 'vor', 'von', 'zwischen']);
