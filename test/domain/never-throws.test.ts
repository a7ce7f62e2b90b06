// The parser is called with whatever the voice agent passes: it must answer, never throw, and
// answer fast, for any string (noise, other languages, huge input, odd Unicode) or non-string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { parseGermanDateTime, type WhenInput } from '../../src/domain/index.ts';

const now = DateTime.fromISO('2026-05-16T18:30:00', { zone: 'Europe/Berlin' });
const WORDS = [
  'morgen', 'am', 'um', '10', 'Uhr', 'nicht', 'oder', 'tomorrow', 'at', 'pm', 'halb', 'elf', 'Ostern', 'vor', 'nach',
  'Tag', 'in', 'acht', 'Tagen', 'Wochenende', ',', '.', ':', '-', '/', '12.', '3.4.', 'next', 'week', 'ab', 'bis',
  'spätestens', 'Anfang', 'Woche', 'letzten', 'Samstag', 'im', 'Februar', '2027', '0', '99', 'ähm', '🙂', '\u200b',
];

test('random word salad never throws and always has a code or a date', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let n = 0; n < 3000; n++) {
    const len = 1 + Math.floor(rand() * 7);
    const phrase = Array.from({ length: len }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(rand() < 0.8 ? ' ' : '');
    const r = parseGermanDateTime(rand() < 0.5 ? phrase : { datum: phrase, uhrzeit: WORDS[n % WORDS.length] }, { now });
    assert.ok(r.ok ? /^\d{4}-\d{2}-\d{2}$/.test(r.date) : r.code && r.message, phrase);
  }
});

test('odd inputs are refusals, not exceptions', () => {
  const odd: unknown[] = [
    'x'.repeat(100_000), 'morgen '.repeat(5_000), '\u0000', '\ud800', '٣ مارس', '明天下午三点', '+++', '2026-13-45',
    '2026-02-30T10:00', '25:61', 'in 99999999999 Tagen', 'in 40 Jahren', 12, null, undefined, {}, [],
  ];
  for (const value of odd) {
    const t0 = performance.now();
    const r = parseGermanDateTime({ datum: value as WhenInput['datum'], uhrzeit: value as WhenInput['uhrzeit'] }, { now });
    assert.ok(performance.now() - t0 < 500, `slow on ${String(value).slice(0, 20)}`);
    assert.equal(typeof r.ok, 'boolean');
  }
});

test('a broken option is a refusal too', () => {
  const r = parseGermanDateTime('morgen um 10', { now, businessHours: { open: '8 Uhr', close: '20:00' } });
  assert.equal(r.ok, false);
  const z = parseGermanDateTime('morgen um 10', { now, zone: 'Mars/Olympus' });
  assert.equal(z.ok, false);
});
