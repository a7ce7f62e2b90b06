// Compact phrase tables for the realistic-phrase corpus: one line per phrase, the expectation
// written the way a person checks it ("2026-02-11 10:00", "2026-02-14 +2", "!unparseable_date").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { parseGermanDateTime, type ParseWhenOptions, type WhenResult } from '../../src/domain/index.ts';

/** The clocks the corpus is judged under (Europe/Berlin wall time). */
export const NOWS = {
  /** Tuesday morning before carnival. */
  tue: '2026-02-10T09:15:00',
  /** Saturday evening, 90 minutes before closing. */
  satEve: '2026-05-16T18:30:00',
  /** Saturday before the spring DST change (Sunday 2026-03-29 02:00 → 03:00). */
  springEve: '2026-03-28T10:00:00',
  /** Saturday before the autumn DST change (Sunday 2026-10-25 03:00 → 02:00). */
  autumnEve: '2026-10-24T10:00:00',
  /** New Year's Eve, Thursday. */
  nye: '2026-12-31T11:00:00',
  /** Monday morning in November. */
  mon: '2026-11-16T08:30:00',
  /** Wednesday morning in early March. */
  wed: '2026-03-04T08:45:00',
} as const;
export type NowKey = keyof typeof NOWS;

/** [now, datum, uhrzeit, expected]; `uhrzeit` null = not given. */
export type CorpusRow = [NowKey, string, string | null, string];

/**
 * "YYYY-MM-DD" date only · "YYYY-MM-DD HH:mm" exact time · "YYYY-MM-DD HH:mm-HH:mm" window ·
 * " W" suffix weekOnly · " +N" suffix a stretch of N days · "!code" a refusal ("!" any refusal).
 */
export function compact(r: WhenResult): string {
  if (!r.ok) return `!${r.code}`;
  let s = r.date;
  if (r.time) s += ` ${r.time}`;
  if (r.window) s += ` ${r.window.from}-${r.window.to}`;
  if (r.weekOnly) s += ' W';
  if (r.days) s += ` +${r.days}`;
  return s;
}

export function nowOf(key: NowKey): DateTime {
  return DateTime.fromISO(NOWS[key], { zone: 'Europe/Berlin' });
}

export function parseRow(row: CorpusRow, extra: Partial<ParseWhenOptions> = {}): WhenResult {
  const [key, datum, uhrzeit] = row;
  return parseGermanDateTime({ datum, uhrzeit }, { now: nowOf(key), ...extra });
}

function matches(actual: string, expected: string): boolean {
  return expected === '!' ? actual.startsWith('!') : actual === expected;
}

/**
 * One test per row, plus a summary line per kind (printed as a diagnostic) so the pass rate of
 * the corpus can be read from the test output.
 */
export function runCorpus(kind: string, rows: CorpusRow[], extra: Partial<ParseWhenOptions> = {}): void {
  let passed = 0;
  for (const row of rows) {
    const [key, datum, uhrzeit, expected] = row;
    const actual = compact(parseRow(row, extra));
    if (matches(actual, expected)) passed++;
    test(`${kind} [${key}] ${JSON.stringify(datum)}${uhrzeit === null ? '' : ` + ${JSON.stringify(uhrzeit)}`}`, () => {
      assert.ok(matches(actual, expected), `expected ${expected}, got ${actual}`);
    });
  }
  test(`${kind}: ${passed}/${rows.length} phrases as expected`, () => {
    assert.equal(passed, rows.length);
  });
}
