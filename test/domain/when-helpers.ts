// Shared helpers for the table-driven date/time tests: compact expectations and a view of a
// result with the luxon start turned into an ISO string so rows can be compared exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGermanDateTime, type ParseWhenOptions, type WhenResult } from '../../src/domain/german-date.ts';
import { WHEN_MESSAGES, type WhenErrorCode } from '../../src/domain/result.ts';

export type Expected = Record<string, unknown>;
/** [datum, uhrzeit, expected]; null = argument not given. */
export type Row = [string | null, string | null, Expected];

/** Date only. */
export const day = (date: string, extra: Expected = {}): Expected => ({ ok: true, date, ...extra });

/** Exact time; `offset` is the zone offset the start must carry (CET unless said otherwise). */
export const at = (date: string, time: string, extra: Expected = {}, offset = '+01:00'): Expected => ({
  ok: true, date, time, start: `${date}T${time}:00.000${offset}`, ...extra,
});

/** Window of start times. */
export const win = (date: string, from: string, to: string, extra: Expected = {}): Expected => ({
  ok: true, date, window: { from, to }, ...extra,
});

export const err = (code: WhenErrorCode, message: string = WHEN_MESSAGES[code]): Expected => ({ ok: false, code, message });

export function view(r: WhenResult): Expected {
  if (!r.ok) return { ...r };
  const { start, ...rest } = r;
  return start ? { ...rest, start: start.toISO() } : { ...rest };
}

/** One node:test per row, named after its inputs. */
export function runTable(title: string, rows: Row[], options: ParseWhenOptions): void {
  for (const [datum, uhrzeit, expected] of rows) {
    const input = { ...(datum !== null ? { datum } : {}), ...(uhrzeit !== null ? { uhrzeit } : {}) };
    test(`${title}: ${JSON.stringify(datum)} + ${JSON.stringify(uhrzeit)}`, () => {
      assert.deepEqual(view(parseGermanDateTime(input, options)), expected);
    });
  }
}
