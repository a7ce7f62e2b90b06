// Instants we send to Cal.com (a create's `start`, a slots query's range) are read by
// utcInstantSchema: the common ISO form without luxon, every other form through luxon. Both
// must give the same answer, including for the dates Date.parse would roll over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { utcInstantSchema } from '../../src/calcom/schemas.ts';

const read = (value: string) => {
  const parsed = utcInstantSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};
const luxon = (value: string) => {
  const dt = DateTime.fromISO(value, { setZone: true });
  return dt.isValid && /(Z|[+-]\d\d:?\d\d)$/i.test(value) ? dt.toUTC().toISO()! : undefined;
};

test('common instants become UTC ISO with milliseconds', () => {
  assert.equal(read('2025-01-10T09:00:00Z'), '2025-01-10T09:00:00.000Z');
  assert.equal(read('2025-03-30T03:30:00+02:00'), '2025-03-30T01:30:00.000Z');
  assert.equal(read('2025-01-10T10:00+01:00'), '2025-01-10T09:00:00.000Z');
  assert.equal(read('2024-02-29T23:59:59.5-01:00'), '2024-03-01T00:59:59.500Z');
});

test('impossible fields are refused, not rolled over', () => {
  for (const value of ['2025-02-29T10:00:00Z', '2025-04-31T10:00:00Z', '2025-13-01T10:00:00Z', '2025-01-01T23:60:00Z', '2025-01-10T09:00:00']) {
    assert.equal(read(value), undefined, value);
  }
});

test('forms outside the common one are still read as luxon reads them', () => {
  for (const value of ['2025-W02-5T09:00:00Z', '2025-010T09:00:00Z', '2025-01-10T09:00:00+0100', '2025-01-10T09:00:00.123456Z', '20250110T090000Z']) {
    assert.equal(read(value), luxon(value), value);
    assert.notEqual(read(value), undefined, value);
  }
});

test('the fast reading agrees with luxon on thousands of generated instants', () => {
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  for (let i = 0; i < 20_000; i++) {
    const offset = ['Z', `+${pad(next(16))}:${pad(next(62))}`, `-${pad(next(16))}:${pad(next(62))}`, ''][next(4)];
    const seconds = ['', `:${pad(next(62))}`, `:${pad(next(62))}.${pad(next(1000), 3)}`][next(3)];
    const value = `${1990 + next(60)}-${pad(next(14))}-${pad(next(33))}T${pad(next(26))}:${pad(next(62))}${seconds}${offset}`;
    assert.equal(read(value), luxon(value), value);
  }
});
