import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { CallStats, StatsInputError, explainDayQuery, type DayStats } from '../../src/stats/index.ts';
import { openStore, type CallCosts, type Role, type Store } from '../../src/store/index.ts';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();


let dir: string;
let store: Store;
let seq = 0;

function call(companyId: string | null, startedIso: string, opts: { durationMs?: number | null; costs?: CallCosts | null; appointment?: boolean } = {}): string {
  const callId = `call-${++seq}`;
  const startedAt = utc(startedIso);
  const durationMs = opts.durationMs === undefined ? 60_000 : opts.durationMs;
  store.calls.upsert({
    callId,
    companyId,
    agentId: null,
    fromNumber: null,
    toNumber: null,
    direction: 'inbound',
    status: durationMs === null ? 'ongoing' : 'ended',
    startedAt,
    endedAt: durationMs === null ? null : startedAt + durationMs,
    durationMs,
    disconnectionReason: null,
    costs: opts.costs === undefined ? null : opts.costs,
  });
  if (opts.appointment) assert.ok(store.calls.markHasAppointment(callId));
  return callId;
}
const costs = (rawCents: number, adminCents: number, resellerCents: number, customerCents: number): CallCosts => ({
  rawCents,
  adminCents,
  resellerCents,
  customerCents,
});

/** Hours with calls, as [hour, utcOffsetMinutes, calls, withAppointment, costCents]. */
const busyHours = (stats: DayStats) =>
  stats.perHour.filter((h) => h.calls > 0).map((h) => [h.hour, h.utcOffsetMinutes, h.calls, h.withAppointment, h.costCents]);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbr-stats-'));
  store = openStore(join(dir, 'stats.sqlite'));
  // Companies as the catalog sync writes them (id, name, time_zone).
  const insertCompany = store.db.prepare('INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)');
  for (const [id, timeZone] of [
    ['salon-berlin', 'Europe/Berlin'],
    ['salon-ny', 'America/New_York'],
    ['salon-ktm', 'Asia/Kathmandu'],
    ['salon-lhi', 'Australia/Lord_Howe'],
    ['salon-rand', 'Europe/Berlin'],
    ['salon-cache', 'Europe/Berlin'],
  ]) {
    insertCompany.run(id, id, timeZone);
  }

  // 2026-06-25 in Berlin (CEST, UTC+2) is [2026-06-24T22:00Z, 2026-06-25T22:00Z).
  call('salon-berlin', '2026-06-24T21:59:59.999Z', { durationMs: 10_000, costs: costs(1, 1, 1, 1) }); // 24th, 23:59 local
  call('salon-berlin', '2026-06-24T22:00:00.000Z', { durationMs: 60_000, costs: costs(10, 12, 15, 20), appointment: true }); // 00:00
  call('salon-berlin', '2026-06-24T23:30:00.000Z', { durationMs: 120_000, costs: costs(5, 6, 7.5, 10.25) }); // 01:30, UTC still the 24th
  call('salon-berlin', '2026-06-25T08:15:00.000Z', { durationMs: 90_000, costs: costs(3, 4, 5, 6), appointment: true }); // 10:15
  call('salon-berlin', '2026-06-25T08:45:00.000Z', { durationMs: null, costs: null }); // 10:45, still ringing: no duration, no cost
  call('salon-berlin', '2026-06-25T21:59:59.999Z', { durationMs: 30_000, costs: costs(1, 1.5, 2, 2.5) }); // 23:59:59.999
  call('salon-berlin', '2026-06-25T22:00:00.000Z', { durationMs: 30_000, costs: costs(9, 9, 9, 9), appointment: true }); // 26th 00:00
  call('salon-ny', '2026-06-25T10:00:00.000Z', { costs: costs(50, 50, 50, 50), appointment: true }); // another tenant
  call(null, '2026-06-25T10:00:00.000Z', { costs: costs(70, 70, 70, 70) }); // no tenant

  // DST: 2026-03-29 (23 h) and 2026-10-25 (25 h) in Berlin.
  call('salon-berlin', '2026-03-28T23:00:00.000Z', { costs: costs(1, 1, 1, 1) }); // 00:00 CET
  call('salon-berlin', '2026-03-29T00:30:00.000Z', { costs: costs(1, 1, 1, 2), appointment: true }); // 01:30 CET
  call('salon-berlin', '2026-03-29T01:00:00.000Z', { costs: costs(1, 1, 1, 3) }); // 03:00 CEST (02:00 is skipped)
  call('salon-berlin', '2026-03-29T21:59:00.000Z', { costs: costs(1, 1, 1, 4) }); // 23:59 CEST
  call('salon-berlin', '2026-10-24T22:00:00.000Z', { costs: costs(1, 1, 1, 1) }); // 00:00 CEST
  call('salon-berlin', '2026-10-25T00:30:00.000Z', { costs: costs(1, 1, 1, 2), appointment: true }); // 02:30 CEST (first 02:xx)
  call('salon-berlin', '2026-10-25T01:30:00.000Z', { costs: costs(1, 1, 1, 3) }); // 02:30 CET (second 02:xx)
  call('salon-berlin', '2026-10-25T22:59:00.000Z', { costs: costs(1, 1, 1, 4) }); // 23:59 CET
  call('salon-berlin', '2026-10-25T23:00:00.000Z', { costs: costs(1, 1, 1, 99) }); // 26th

  // Asia/Kathmandu is UTC+05:45: 2026-06-25 is [2026-06-24T18:15Z, 2026-06-25T18:15Z).
  call('salon-ktm', '2026-06-24T18:14:00.000Z', { costs: costs(1, 1, 1, 1) });
  call('salon-ktm', '2026-06-24T18:15:00.000Z', { costs: costs(1, 1, 1, 2) }); // 00:00
  call('salon-ktm', '2026-06-25T04:14:00.000Z', { costs: costs(1, 1, 1, 3) }); // 09:59
  // Lord Howe Island falls back 30 minutes (02:00 +11:00 → 01:30 +10:30) on 2026-04-05.
  call('salon-lhi', '2026-04-04T14:50:00.000Z', { costs: costs(1, 1, 1, 1) }); // 01:50 +11:00
  call('salon-lhi', '2026-04-04T15:10:00.000Z', { costs: costs(1, 1, 1, 2) }); // 01:40 +10:30
  call('salon-lhi', '2026-04-04T15:40:00.000Z', { costs: costs(1, 1, 1, 3) }); // 02:10 +10:30
});

after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CallStats.forDay', () => {
  it('counts the local day in the company time zone, not the UTC day', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0, now: () => 42 }).forDay('salon-berlin', '2026-06-25', 'customer');
    assert.equal(stats.companyId, 'salon-berlin');
    assert.equal(stats.date, '2026-06-25');
    assert.equal(stats.role, 'customer');
    assert.equal(stats.timeZone, 'Europe/Berlin');
    assert.equal(stats.fromUtc, utc('2026-06-24T22:00:00Z'));
    assert.equal(stats.toUtc, utc('2026-06-25T22:00:00Z'));
    assert.equal(stats.totalCalls, 5);
    assert.equal(stats.callsWithAppointment, 2);
    assert.equal(stats.conversion, 0.4);
    assert.equal(stats.averageDurationSeconds, 75); // (60 + 120 + 90 + 30) / 4; the ringing call has no duration yet
    assert.equal(stats.totalCostCents, 38.75);
    assert.equal(stats.computedAt, 42);
    assert.equal(stats.perHour.length, 24);
    assert.deepEqual(
      stats.perHour.map((h) => h.hour),
      Array.from({ length: 24 }, (_, i) => i),
    );
    assert.ok(stats.perHour.every((h, i) => h.utcOffsetMinutes === 120 && h.startUtc === stats.fromUtc + i * 3_600_000));
    assert.deepEqual(busyHours(stats), [
      [0, 120, 1, 1, 20],
      [1, 120, 1, 0, 10.25],
      [10, 120, 2, 1, 6],
      [23, 120, 1, 0, 2.5],
    ]);
  });

  it('the day before and after get the boundary calls', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0 });
    const before = stats.forDay('salon-berlin', '2026-06-24', 'customer');
    assert.equal(before.totalCalls, 1);
    assert.deepEqual(busyHours(before), [[23, 120, 1, 0, 1]]);
    const next = stats.forDay('salon-berlin', '2026-06-26', 'customer');
    assert.equal(next.totalCalls, 1);
    assert.deepEqual(busyHours(next), [[0, 120, 1, 1, 9]]);
  });

  it('shows each role its own pre-computed cost column', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0, now: () => 7 });
    const of = (role: Role) => stats.forDay('salon-berlin', '2026-06-25', role);
    assert.equal(of('customer').totalCostCents, 20 + 10.25 + 6 + 2.5);
    assert.equal(of('reseller').totalCostCents, 15 + 7.5 + 5 + 2);
    assert.equal(of('admin').totalCostCents, 12 + 6 + 4 + 1.5);
    assert.deepEqual(
      of('reseller').perHour.filter((h) => h.calls).map((h) => h.costCents),
      [15, 7.5, 5, 2],
    );
    // Everything but cost is the same for every role.
    const strip = ({ role, totalCostCents, perHour, ...rest }: DayStats) => ({ ...rest, perHour: perHour.map(({ costCents, ...h }) => h) });
    assert.deepEqual(strip(of('admin')), strip(of('customer')));
  });

  it('a day without calls is all zeros, conversion 0', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0 }).forDay('salon-berlin', '2026-01-01', 'admin');
    assert.equal(stats.totalCalls, 0);
    assert.equal(stats.callsWithAppointment, 0);
    assert.equal(stats.conversion, 0);
    assert.equal(stats.averageDurationSeconds, 0);
    assert.equal(stats.totalCostCents, 0);
    assert.equal(stats.perHour.length, 24);
    assert.ok(stats.perHour.every((h) => h.calls === 0 && h.withAppointment === 0 && h.costCents === 0));
  });

  it('follows a change of the company time zone (the zone is read per request)', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0 });
    assert.equal(stats.forDay('salon-berlin', '2026-06-25', 'customer').totalCalls, 5);
    store.db.prepare('UPDATE companies SET time_zone = ? WHERE id = ?').run('UTC', 'salon-berlin');
    try {
      const utcDay = stats.forDay('salon-berlin', '2026-06-25', 'customer');
      assert.equal(utcDay.timeZone, 'UTC');
      assert.equal(utcDay.fromUtc, utc('2026-06-25T00:00:00Z'));
      assert.equal(utcDay.totalCalls, 4); // 08:15, 08:45, 21:59:59.999, 22:00
      assert.deepEqual(busyHours(utcDay), [
        [8, 0, 2, 1, 6],
        [21, 0, 1, 0, 2.5],
        [22, 0, 1, 1, 9],
      ]);
    } finally {
      store.db.prepare('UPDATE companies SET time_zone = ? WHERE id = ?').run('Europe/Berlin', 'salon-berlin');
    }
  });

  it('other tenants and calls without a tenant are never counted', () => {
    const stats = new CallStats({ db: store.db, cacheTtlMs: 0 });
    const ny = stats.forDay('salon-ny', '2026-06-25', 'customer');
    assert.equal(ny.timeZone, 'America/New_York');
    assert.equal(ny.fromUtc, utc('2026-06-25T04:00:00Z'));
    assert.deepEqual(busyHours(ny), [[6, -240, 1, 1, 50]]);
  });
});

describe('DST days', () => {
  const stats = () => new CallStats({ db: store.db, cacheTtlMs: 0 });

  it('spring forward (2026-03-29, Berlin): 23 local hours, hour 2 does not exist', () => {
    const day = stats().forDay('salon-berlin', '2026-03-29', 'customer');
    assert.equal(day.fromUtc, utc('2026-03-28T23:00:00Z'));
    assert.equal(day.toUtc, utc('2026-03-29T22:00:00Z'));
    assert.equal(day.perHour.length, 23);
    assert.deepEqual(
      day.perHour.map((h) => h.hour),
      [0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)],
    );
    assert.deepEqual(
      day.perHour.slice(0, 3).map((h) => [h.hour, h.utcOffsetMinutes, h.startUtc]),
      [
        [0, 60, utc('2026-03-28T23:00:00Z')],
        [1, 60, utc('2026-03-29T00:00:00Z')],
        [3, 120, utc('2026-03-29T01:00:00Z')],
      ],
    );
    assert.equal(day.totalCalls, 4);
    assert.equal(day.totalCostCents, 10);
    assert.deepEqual(busyHours(day), [
      [0, 60, 1, 0, 1],
      [1, 60, 1, 1, 2],
      [3, 120, 1, 0, 3],
      [23, 120, 1, 0, 4],
    ]);
  });

  it('fall back (2026-10-25, Berlin): 25 local hours, hour 2 twice, told apart by the UTC offset', () => {
    const day = stats().forDay('salon-berlin', '2026-10-25', 'customer');
    assert.equal(day.fromUtc, utc('2026-10-24T22:00:00Z'));
    assert.equal(day.toUtc, utc('2026-10-25T23:00:00Z'));
    assert.equal(day.perHour.length, 25);
    assert.deepEqual(
      day.perHour.map((h) => h.hour),
      [0, 1, 2, 2, ...Array.from({ length: 21 }, (_, i) => i + 3)],
    );
    assert.deepEqual(
      day.perHour.slice(1, 5).map((h) => [h.hour, h.utcOffsetMinutes, h.startUtc]),
      [
        [1, 120, utc('2026-10-24T23:00:00Z')],
        [2, 120, utc('2026-10-25T00:00:00Z')],
        [2, 60, utc('2026-10-25T01:00:00Z')],
        [3, 60, utc('2026-10-25T02:00:00Z')],
      ],
    );
    assert.equal(day.totalCalls, 4);
    assert.equal(day.callsWithAppointment, 1);
    assert.equal(day.conversion, 0.25);
    assert.equal(day.totalCostCents, 10);
    assert.deepEqual(busyHours(day), [
      [0, 120, 1, 0, 1],
      [2, 120, 1, 1, 2],
      [2, 60, 1, 0, 3],
      [23, 60, 1, 0, 4],
    ]);
  });

  it('zones with 45-minute offsets and 30-minute DST shifts land in the right local hour', () => {
    const ktm = stats().forDay('salon-ktm', '2026-06-25', 'customer');
    assert.equal(ktm.fromUtc, utc('2026-06-24T18:15:00Z'));
    assert.deepEqual(busyHours(ktm), [
      [0, 345, 1, 0, 2],
      [9, 345, 1, 0, 3],
    ]);
    const lhi = stats().forDay('salon-lhi', '2026-04-05', 'customer');
    assert.equal(lhi.toUtc - lhi.fromUtc, 24.5 * 3_600_000);
    assert.deepEqual(
      lhi.perHour.slice(0, 4).map((h) => [h.hour, h.utcOffsetMinutes]),
      [
        [0, 660],
        [1, 660],
        [1, 630],
        [2, 630],
      ],
    );
    assert.deepEqual(busyHours(lhi), [
      [1, 660, 1, 0, 1],
      [1, 630, 1, 0, 2],
      [2, 630, 1, 0, 3],
    ]);
  });

  it('agrees with a row-by-row luxon computation on random calls around both DST changes', () => {
    // Deterministic pseudo-random calls over 2026-03-27 … 2026-03-31 and 2026-10-23 … 2026-10-27.
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const rows: Array<{ startedAt: number; appointment: boolean; durationMs: number; customer: number }> = [];
    store.db.transaction(() => {
      for (const base of ['2026-03-27T00:00:00Z', '2026-10-23T00:00:00Z']) {
        for (let i = 0; i < 400; i++) {
          const startedAt = utc(base) + Math.floor(rand() * 5 * 86_400_000);
          const row = { startedAt, appointment: rand() < 0.3, durationMs: 1000 * Math.floor(rand() * 600), customer: Math.round(rand() * 1000) / 100 };
          rows.push(row);
          call('salon-rand', new Date(startedAt).toISOString(), {
            durationMs: row.durationMs,
            costs: costs(0, 0, 0, row.customer),
            appointment: row.appointment,
          });
        }
      }
    })();
    const calc = stats();
    for (const date of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26']) {
      const day = calc.forDay('salon-rand', date, 'customer');
      const mine = rows.filter((r) => DateTime.fromMillis(r.startedAt, { zone: 'Europe/Berlin' }).toISODate() === date);
      assert.ok(mine.length > 50, `${date} has calls`);
      assert.equal(day.totalCalls, mine.length, date);
      assert.equal(day.callsWithAppointment, mine.filter((r) => r.appointment).length, date);
      assert.equal(day.totalCostCents, Math.round(mine.reduce((s, r) => s + r.customer, 0) * 1e4) / 1e4, date);
      assert.equal(day.averageDurationSeconds, Math.round(mine.reduce((s, r) => s + r.durationMs, 0) / mine.length) / 1000, date);
      const expected = new Map<string, number>();
      for (const r of mine) {
        const local = DateTime.fromMillis(r.startedAt, { zone: 'Europe/Berlin' });
        const key = `${local.hour}/${local.offset}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const actual = new Map(day.perHour.filter((h) => h.calls).map((h) => [`${h.hour}/${h.utcOffsetMinutes}`, h.calls]));
      assert.deepEqual(actual, expected, date);
    }
  });
});

describe('caching', () => {
  it('serves a (company, date, role) from memory within the TTL and recomputes after it', () => {
    let clock = 1_000_000;
    const stats = new CallStats({ db: store.db, now: () => clock, cacheTtlMs: 10_000 });
    const first = stats.forDay('salon-cache', '2026-06-25', 'customer');
    assert.equal(first.totalCalls, 0);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.perHour) && Object.isFrozen(first.perHour[0]));

    call('salon-cache', '2026-06-25T10:00:00Z', { costs: costs(1, 2, 3, 4), appointment: true });
    clock += 9_999;
    const cached = stats.forDay('salon-cache', '2026-06-25', 'customer');
    assert.equal(cached, first, 'same object from the cache');
    assert.equal(cached.totalCalls, 0, 'the new call is not visible yet');

    // Another role (or date) is its own cache entry.
    assert.equal(stats.forDay('salon-cache', '2026-06-25', 'admin').totalCalls, 1);
    assert.equal(stats.forDay('salon-cache', '2026-06-24', 'customer').totalCalls, 0);

    clock += 1; // TTL passed
    const fresh = stats.forDay('salon-cache', '2026-06-25', 'customer');
    assert.notEqual(fresh, first);
    assert.equal(fresh.totalCalls, 1);
    assert.equal(fresh.totalCostCents, 4);
    assert.equal(fresh.computedAt, clock);

    stats.clearCache();
    call('salon-cache', '2026-06-25T11:00:00Z', { costs: costs(1, 2, 3, 4) });
    assert.equal(stats.forDay('salon-cache', '2026-06-25', 'customer').totalCalls, 2, 'clearCache drops entries');
  });

  it('cacheTtlMs 0 disables the cache', () => {
    const stats = new CallStats({ db: store.db, now: () => 0, cacheTtlMs: 0 });
    const a = stats.forDay('salon-cache', '2026-06-26', 'customer');
    call('salon-cache', '2026-06-26T10:00:00Z');
    const b = stats.forDay('salon-cache', '2026-06-26', 'customer');
    assert.equal(a.totalCalls, 0);
    assert.equal(b.totalCalls, 1);
  });
});

describe('query plan', () => {
  for (const [role, bucketMs] of [
    ['customer', 3_600_000],
    ['reseller', 3_600_000],
    ['admin', 3_600_000],
    ['customer', 900_000],
  ] as const) {
    it(`${role}, ${bucketMs / 60_000}-minute buckets: an index range on calls_company_started, never a scan of calls`, () => {
      const details = explainDayQuery(store.db, role, bucketMs).map((row) => row.detail);
      assert.ok(
        details.some((d) => /^SEARCH calls USING (COVERING )?INDEX calls_company_started\w* \(company_id=\? AND started_at>\? AND started_at<\?\)/.test(d)),
        details.join('\n'),
      );
      assert.ok(!details.some((d) => /\bSCAN calls\b/.test(d)), details.join('\n'));
    });
  }
});

describe('with the recommended covering index (proposed migration)', () => {
  it('the same query is answered from the index alone, with the same figures', () => {
    const other = openStore(join(dir, 'covering.sqlite'));
    try {
      other.db.prepare('INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)').run('salon-berlin', 'x', 'Europe/Berlin');
      // The Berlin salon's calls from the main test database.
      other.db.prepare('ATTACH DATABASE ? AS src').run(join(dir, 'stats.sqlite'));
      other.db.exec(`INSERT INTO calls SELECT * FROM src.calls WHERE company_id = 'salon-berlin'; DETACH DATABASE src;`);
      const before = new CallStats({ db: other.db, cacheTtlMs: 0, now: () => 1 });
      const expected = ['2026-06-25', '2026-03-29', '2026-10-25'].map((d) => before.forDay('salon-berlin', d, 'reseller'));
      other.db.exec(`DROP INDEX calls_company_started;
        CREATE INDEX calls_company_started ON calls (company_id, started_at, has_appointment, duration_ms, cost_customer_cents, cost_reseller_cents, cost_admin_cents);`);
      for (const role of ['customer', 'reseller', 'admin'] as const) {
        const details = explainDayQuery(other.db, role).map((row) => row.detail);
        assert.ok(details.some((d) => d.startsWith('SEARCH calls USING COVERING INDEX calls_company_started (company_id=? AND started_at>? AND started_at<?)')), details.join('\n'));
        assert.ok(!details.some((d) => /\bSCAN calls\b/.test(d)), details.join('\n'));
      }
      const after = new CallStats({ db: other.db, cacheTtlMs: 0, now: () => 1 });
      assert.deepEqual(['2026-06-25', '2026-03-29', '2026-10-25'].map((d) => after.forDay('salon-berlin', d, 'reseller')), expected);
      assert.equal(expected[0]!.totalCalls, 5);
    } finally {
      other.close();
    }
  });
});

describe('input validation', () => {
  const rejects = (fn: () => unknown, code: string, httpStatus: number) =>
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof StatsInputError, String(error));
      assert.equal(error.code, code);
      assert.equal(error.httpStatus, httpStatus);
      return true;
    });

  it('bad dates are invalid_date (400)', () => {
    const s = new CallStats({ db: store.db, cacheTtlMs: 0 });
    for (const date of ['2026-02-30', '2026-13-01', '25.06.2026', '2026-6-5', '2026-06-25T10:00', '', 'heute']) {
      rejects(() => s.forDay('salon-berlin', date, 'customer'), 'invalid_date', 400);
    }
    rejects(() => s.forDay('salon-berlin', 20260625 as never, 'customer'), 'invalid_date', 400);
  });

  it('unknown companies are unknown_company (404)', () => {
    const s = new CallStats({ db: store.db, cacheTtlMs: 0 });
    rejects(() => s.forDay('nope', '2026-06-25', 'customer'), 'unknown_company', 404);
    rejects(() => s.forDay('', '2026-06-25', 'customer'), 'unknown_company', 404);
  });

  it('unknown roles are invalid_role (400)', () => {
    const s = new CallStats({ db: store.db, cacheTtlMs: 0 });
    rejects(() => s.forDay('salon-berlin', '2026-06-25', 'owner' as Role), 'invalid_role', 400);
  });

  it('is a plain Error subclass the HTTP layer can map', () => {
    const error = new StatsInputError('invalid_date', 'x');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'StatsInputError');
  });
});
