// Clocks on awkward days: the two Berlin DST changes of 2026 and the turn of the year.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { localToInstant, parseGermanDateTime } from '../../src/domain/german-date.ts';
import { at, day, err, runTable, win } from './when-helpers.ts';

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' });
const CET = '+01:00';
const CEST = '+02:00';

// Sunday 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST; 02:00–02:59 does not exist.
runTable('spring forward (now 2026-03-29 00:30 CET)', [
  ['heute', '02:30', err('nonexistent_time')],
  ['2026-03-29T02:30', null, err('nonexistent_time')],
  ['heute', '01:59', at('2026-03-29', '01:59', {}, CET)],
  ['heute', '03:00', at('2026-03-29', '03:00', {}, CEST)],
  ['heute', 'halb drei', at('2026-03-29', '14:30', {}, CEST)], // business hours make it the afternoon
  ['heute um 10', null, at('2026-03-29', '10:00', {}, CEST)],
  ['2026-03-29T02:30:00+01:00', null, at('2026-03-29', '03:30', {}, CEST)], // an instant: same moment as 03:30 CEST
  ['heute', 'nachmittags', win('2026-03-29', '13:00', '17:00', { dayPart: 'nachmittag' })],
  ['morgen', null, day('2026-03-30')],
  ['Montag', null, day('2026-03-30')],
], { now: berlin('2026-03-29T00:30:00') });

// Sunday 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:00–02:59 happens twice.
runTable('fall back (now 2026-10-25 00:30 CEST)', [
  ['heute', '02:30', at('2026-10-25', '02:30', {}, CEST)], // first occurrence
  ['heute', '01:30', at('2026-10-25', '01:30', {}, CEST)],
  ['heute', '03:00', at('2026-10-25', '03:00', {}, CET)],
  ['2026-10-25T02:30:00+01:00', null, at('2026-10-25', '02:30', {}, CET)], // second occurrence, said explicitly
  ['heute um 10', null, at('2026-10-25', '10:00', {}, CET)],
  ['Samstag', null, day('2026-10-31')],
], { now: berlin('2026-10-25T00:30:00') });

// 02:45 CET is after both 02:30s: the first 02:30 (00:30 UTC) is gone.
runTable('fall back, second pass (now 2026-10-25 02:45 CET, epoch ms)', [
  ['heute', '02:30', err('time_in_past')],
  ['heute', '03:00', at('2026-10-25', '03:00', {}, CET)],
], { now: DateTime.fromISO('2026-10-25T01:45:00Z').toMillis() });

// Tuesday 2025-12-30.
runTable('year end (now 2025-12-30 10:00)', [
  ['3. Januar', null, day('2026-01-03')],
  ['03.01.', null, day('2026-01-03')],
  ['2.1.26', null, day('2026-01-02')],
  ['Montag', null, day('2026-01-05')],
  ['Freitag', null, day('2026-01-02')],
  ['diesen Dienstag', null, day('2025-12-30')],
  ['nächste Woche', null, day('2026-01-05', { weekOnly: true })],
  ['in einer Woche', null, day('2026-01-06')],
  ['übermorgen', null, day('2026-01-01')],
  ['am 2.', null, day('2026-01-02')],
  ['31.12.', null, day('2025-12-31')],
  ['31.12. um 11', null, at('2025-12-31', '11:00', {}, CET)],
  ['29.12.', null, err('date_in_past')],
  ['1.12.', null, day('2026-12-01')], // four weeks past: means next year
  ['29.02.', null, err('invalid_date')], // neither 2025 nor 2026 is a leap year
], { now: berlin('2025-12-30T10:00:00') });

runTable('year end without grace', [
  ['29.12.', null, day('2026-12-29')],
], { now: berlin('2025-12-30T10:00:00'), pastGraceDays: 0 });

test('localToInstant gives the UTC instant Cal.com needs on both DST days', () => {
  const utc = (date: string, time: string) => {
    const r = localToInstant(date, time, 'Europe/Berlin');
    return r.ok ? r.start.toUTC().toISO() : r.code;
  };
  assert.equal(utc('2026-03-29', '01:30'), '2026-03-29T00:30:00.000Z');
  assert.equal(utc('2026-03-29', '02:00'), 'nonexistent_time');
  assert.equal(utc('2026-03-29', '02:59'), 'nonexistent_time');
  assert.equal(utc('2026-03-29', '03:00'), '2026-03-29T01:00:00.000Z');
  assert.equal(utc('2026-10-25', '01:59'), '2026-10-24T23:59:00.000Z');
  assert.equal(utc('2026-10-25', '02:00'), '2026-10-25T00:00:00.000Z');
  assert.equal(utc('2026-10-25', '02:30'), '2026-10-25T00:30:00.000Z');
  assert.equal(utc('2026-10-25', '03:00'), '2026-10-25T02:00:00.000Z');
  assert.equal(utc('2025-11-25', '10:30'), '2025-11-25T09:30:00.000Z');
});

test('the start is zone-aware and compares as an instant', () => {
  const r = parseGermanDateTime({ datum: 'heute', uhrzeit: '03:00' }, { now: berlin('2026-03-29T00:30:00') });
  assert.ok(r.ok && r.start);
  assert.equal(r.start.zoneName, 'Europe/Berlin');
  assert.equal(r.start.toUTC().toISO(), '2026-03-29T01:00:00.000Z');
});
