// What the agent reads back to the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { speakDate, speakSlot, speakTime } from '../../src/domain/german-speak.ts';

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' });

const rows: [string, () => string, string][] = [
  ['speakTime half hour', () => speakTime(berlin('2025-11-25T10:30')), '10:30 Uhr'],
  ['speakTime full hour has no :00', () => speakTime(berlin('2025-11-25T10:00')), '10 Uhr'],
  ['speakTime single-digit hour', () => speakTime(berlin('2025-11-25T09:05')), '9:05 Uhr'],
  ['speakDate', () => speakDate(berlin('2025-11-25T10:30')), 'Dienstag, 25. November'],
  ['speakDate März', () => speakDate(berlin('2026-03-29T03:00')), 'Sonntag, 29. März'],
  ['speakDate same year as now', () => speakDate(berlin('2025-12-31T10:00'), { now: berlin('2025-12-30T10:00') }), 'Mittwoch, 31. Dezember'],
  ['speakDate next year says the year', () => speakDate(berlin('2026-01-03T10:00'), { now: berlin('2025-12-30T10:00') }), 'Samstag, 3. Januar 2026'],
  ['speakSlot', () => speakSlot(berlin('2025-11-25T10:30')), 'Dienstag, 25. November um 10:30 Uhr'],
  ['speakSlot converts a UTC instant to the zone', () => speakSlot(DateTime.fromISO('2025-11-24T23:30:00Z', { zone: 'utc' }), { zone: 'Europe/Berlin' }), 'Dienstag, 25. November um 0:30 Uhr'],
  ['speakSlot with now as epoch ms', () => speakSlot(berlin('2026-01-05T14:00'), { now: berlin('2025-12-30T10:00').toMillis() }), 'Montag, 5. Januar 2026 um 14 Uhr'],
];
for (const [name, run, expected] of rows) test(name, () => assert.equal(run(), expected));
