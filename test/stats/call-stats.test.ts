// Call statistics per company and local day, on both backends: the embedded SQLite file and
// PostgreSQL (never skipped: a PostgreSQL that does not answer fails these tests; `.ci/run`
// starts one). The behaviour tests seed a few hand-placed calls; the plan tests check that the
// production query is an index range on calls_company_started in each database's own terms.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { CallStats, StatsInputError, dayQuerySql, explainDayQuery, type DayStats } from '../../src/stats/index.ts';
import { openStore, type CallCosts, type Role, type Sql, type Store } from '../../src/store/index.ts';
import { freshPostgres, type TestPostgres } from '../helpers/database.ts';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();
const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;
const DAY_MS = 24 * HOUR_MS;
const ROLES: Role[] = ['customer', 'reseller', 'admin'];

const costs = (rawCents: number, adminCents: number, resellerCents: number, customerCents: number): CallCosts => ({
  rawCents,
  adminCents,
  resellerCents,
  customerCents,
});

/** Hours with calls, as [hour, utcOffsetMinutes, calls, withAppointment, costCents]. */
const busyHours = (stats: DayStats) =>
  stats.perHour.filter((h) => h.calls > 0).map((h) => [h.hour, h.utcOffsetMinutes, h.calls, h.withAppointment, h.costCents]);

/** Companies as the catalog sync writes them (id, name, time_zone), in one transaction through the backend-neutral Sql seam. */
async function insertCompanies(sql: Sql, companies: ReadonlyArray<readonly [id: string, timeZone: string]>): Promise<void> {
  await sql.transaction(async (tx) => {
    for (const [id, timeZone] of companies) await tx.run('INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)', [id, id, timeZone]);
  });
}

const rejects = (promise: Promise<unknown>, code: string, httpStatus: number) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StatsInputError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.httpStatus, httpStatus);
    return true;
  });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`call stats on ${backend}`, () => {
    let dir: string;
    let sqliteFile: string | undefined;
    let pg: TestPostgres | undefined;
    let store: Store;
    let seq = 0;

    /** One call as the Retell webhook writes it (through the store), optionally inside a transaction's store `on`. */
    async function call(
      companyId: string | null,
      startedIso: string,
      opts: { durationMs?: number | null; costs?: CallCosts | null; appointment?: boolean } = {},
      on: Store = store,
    ): Promise<string> {
      const callId = `call-${++seq}`;
      const startedAt = utc(startedIso);
      const durationMs = opts.durationMs === undefined ? 60_000 : opts.durationMs;
      await on.calls.upsert({
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
      if (opts.appointment) assert.equal(await on.calls.markHasAppointment(callId), true, `${callId} is known`);
      return callId;
    }

    const setZone = (companyId: string, timeZone: string) => store.sql.run('UPDATE companies SET time_zone = ? WHERE id = ?', [timeZone, companyId]);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vbr-stats-'));
      if (backend === 'postgres') pg = await freshPostgres('stats');
      else sqliteFile = join(dir, 'stats.sqlite');
      store = await openStore(pg?.url ?? sqliteFile!);
      assert.equal(store.sql.dialect, backend);
      await insertCompanies(store.sql, [
        ['salon-berlin', 'Europe/Berlin'],
        ['salon-ny', 'America/New_York'],
        ['salon-ktm', 'Asia/Kathmandu'],
        ['salon-lhi', 'Australia/Lord_Howe'],
        ['salon-rand', 'Europe/Berlin'],
        ['salon-cache', 'Europe/Berlin'],
      ]);

      // 2026-06-25 in Berlin (CEST, UTC+2) is [2026-06-24T22:00Z, 2026-06-25T22:00Z).
      await call('salon-berlin', '2026-06-24T21:59:59.999Z', { durationMs: 10_000, costs: costs(1, 1, 1, 1) }); // 24th, 23:59 local
      await call('salon-berlin', '2026-06-24T22:00:00.000Z', { durationMs: 60_000, costs: costs(10, 12, 15, 20), appointment: true }); // 00:00
      await call('salon-berlin', '2026-06-24T23:30:00.000Z', { durationMs: 120_000, costs: costs(5, 6, 7.5, 10.25) }); // 01:30, UTC still the 24th
      await call('salon-berlin', '2026-06-25T08:15:00.000Z', { durationMs: 90_000, costs: costs(3, 4, 5, 6), appointment: true }); // 10:15
      await call('salon-berlin', '2026-06-25T08:45:00.000Z', { durationMs: null, costs: null }); // 10:45, still ringing: no duration, no cost
      await call('salon-berlin', '2026-06-25T21:59:59.999Z', { durationMs: 30_000, costs: costs(1, 1.5, 2, 2.5) }); // 23:59:59.999
      await call('salon-berlin', '2026-06-25T22:00:00.000Z', { durationMs: 30_000, costs: costs(9, 9, 9, 9), appointment: true }); // 26th 00:00
      await call('salon-ny', '2026-06-25T10:00:00.000Z', { costs: costs(50, 50, 50, 50), appointment: true }); // another tenant
      await call(null, '2026-06-25T10:00:00.000Z', { costs: costs(70, 70, 70, 70) }); // no tenant

      // DST: 2026-03-29 (23 h) and 2026-10-25 (25 h) in Berlin.
      await call('salon-berlin', '2026-03-28T23:00:00.000Z', { costs: costs(1, 1, 1, 1) }); // 00:00 CET
      await call('salon-berlin', '2026-03-29T00:30:00.000Z', { costs: costs(1, 1, 1, 2), appointment: true }); // 01:30 CET
      await call('salon-berlin', '2026-03-29T01:00:00.000Z', { costs: costs(1, 1, 1, 3) }); // 03:00 CEST (02:00 is skipped)
      await call('salon-berlin', '2026-03-29T21:59:00.000Z', { costs: costs(1, 1, 1, 4) }); // 23:59 CEST
      await call('salon-berlin', '2026-10-24T22:00:00.000Z', { costs: costs(1, 1, 1, 1) }); // 00:00 CEST
      await call('salon-berlin', '2026-10-25T00:30:00.000Z', { costs: costs(1, 1, 1, 2), appointment: true }); // 02:30 CEST (first 02:xx)
      await call('salon-berlin', '2026-10-25T01:30:00.000Z', { costs: costs(1, 1, 1, 3) }); // 02:30 CET (second 02:xx)
      await call('salon-berlin', '2026-10-25T22:59:00.000Z', { costs: costs(1, 1, 1, 4) }); // 23:59 CET
      await call('salon-berlin', '2026-10-25T23:00:00.000Z', { costs: costs(1, 1, 1, 99) }); // 26th

      // Asia/Kathmandu is UTC+05:45: 2026-06-25 is [2026-06-24T18:15Z, 2026-06-25T18:15Z).
      await call('salon-ktm', '2026-06-24T18:14:00.000Z', { costs: costs(1, 1, 1, 1) });
      await call('salon-ktm', '2026-06-24T18:15:00.000Z', { costs: costs(1, 1, 1, 2) }); // 00:00
      await call('salon-ktm', '2026-06-25T04:14:00.000Z', { costs: costs(1, 1, 1, 3) }); // 09:59
      // Lord Howe Island falls back 30 minutes (02:00 +11:00 → 01:30 +10:30) on 2026-04-05.
      await call('salon-lhi', '2026-04-04T14:50:00.000Z', { costs: costs(1, 1, 1, 1) }); // 01:50 +11:00
      await call('salon-lhi', '2026-04-04T15:10:00.000Z', { costs: costs(1, 1, 1, 2) }); // 01:40 +10:30
      await call('salon-lhi', '2026-04-04T15:40:00.000Z', { costs: costs(1, 1, 1, 3) }); // 02:10 +10:30
    });

    after(async () => {
      await store?.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    describe('CallStats.forDay', () => {
      it('counts the local day in the company time zone, not the UTC day', async () => {
        const stats = await new CallStats({ sql: store.sql, cacheTtlMs: 0, now: () => 42 }).forDay('salon-berlin', '2026-06-25', 'customer');
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
        assert.ok(stats.perHour.every((h, i) => h.utcOffsetMinutes === 120 && h.startUtc === stats.fromUtc + i * HOUR_MS), 'consecutive CEST hours from local midnight');
        assert.deepEqual(busyHours(stats), [
          [0, 120, 1, 1, 20],
          [1, 120, 1, 0, 10.25],
          [10, 120, 2, 1, 6],
          [23, 120, 1, 0, 2.5],
        ]);
        // Numbers are JS numbers on both backends (PostgreSQL's BIGINT, COUNT and SUM included).
        for (const h of stats.perHour) for (const n of [h.calls, h.withAppointment, h.costCents, h.startUtc]) assert.equal(typeof n, 'number');
      });

      it('the day before and after get the boundary calls', async () => {
        const stats = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        const before = await stats.forDay('salon-berlin', '2026-06-24', 'customer');
        assert.equal(before.totalCalls, 1);
        assert.deepEqual(busyHours(before), [[23, 120, 1, 0, 1]]);
        const next = await stats.forDay('salon-berlin', '2026-06-26', 'customer');
        assert.equal(next.totalCalls, 1);
        assert.deepEqual(busyHours(next), [[0, 120, 1, 1, 9]]);
      });

      it('shows each role its own pre-computed cost column', async () => {
        const stats = new CallStats({ sql: store.sql, cacheTtlMs: 0, now: () => 7 });
        const [customer, reseller, admin] = await Promise.all(ROLES.map((role) => stats.forDay('salon-berlin', '2026-06-25', role)));
        assert.equal(customer!.totalCostCents, 20 + 10.25 + 6 + 2.5);
        assert.equal(reseller!.totalCostCents, 15 + 7.5 + 5 + 2);
        assert.equal(admin!.totalCostCents, 12 + 6 + 4 + 1.5);
        assert.deepEqual(
          reseller!.perHour.filter((h) => h.calls).map((h) => h.costCents),
          [15, 7.5, 5, 2],
        );
        // Everything but cost is the same for every role.
        const strip = ({ role, totalCostCents, perHour, ...rest }: DayStats) => ({ ...rest, perHour: perHour.map(({ costCents, ...h }) => h) });
        assert.deepEqual(strip(admin!), strip(customer!));
        assert.deepEqual(strip(reseller!), strip(customer!));
      });

      it('a day without calls is all zeros, conversion 0', async () => {
        const stats = await new CallStats({ sql: store.sql, cacheTtlMs: 0 }).forDay('salon-berlin', '2026-01-01', 'admin');
        assert.equal(stats.totalCalls, 0);
        assert.equal(stats.callsWithAppointment, 0);
        assert.equal(stats.conversion, 0);
        assert.equal(stats.averageDurationSeconds, 0);
        assert.equal(stats.totalCostCents, 0);
        assert.equal(stats.perHour.length, 24);
        assert.ok(stats.perHour.every((h) => h.calls === 0 && h.withAppointment === 0 && h.costCents === 0), 'every hour is zero');
      });

      it('follows a change of the company time zone (the zone is read per request)', async () => {
        const stats = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        assert.equal((await stats.forDay('salon-berlin', '2026-06-25', 'customer')).totalCalls, 5);
        assert.equal(await setZone('salon-berlin', 'UTC'), 1);
        try {
          const utcDay = await stats.forDay('salon-berlin', '2026-06-25', 'customer');
          assert.equal(utcDay.timeZone, 'UTC');
          assert.equal(utcDay.fromUtc, utc('2026-06-25T00:00:00Z'));
          assert.equal(utcDay.totalCalls, 4); // 08:15, 08:45, 21:59:59.999, 22:00
          assert.deepEqual(busyHours(utcDay), [
            [8, 0, 2, 1, 6],
            [21, 0, 1, 0, 2.5],
            [22, 0, 1, 1, 9],
          ]);
        } finally {
          await setZone('salon-berlin', 'Europe/Berlin');
        }
      });

      it('other tenants and calls without a tenant are never counted', async () => {
        const stats = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        const ny = await stats.forDay('salon-ny', '2026-06-25', 'customer');
        assert.equal(ny.timeZone, 'America/New_York');
        assert.equal(ny.fromUtc, utc('2026-06-25T04:00:00Z'));
        assert.deepEqual(busyHours(ny), [[6, -240, 1, 1, 50]]);
      });
    });

    describe('DST days', () => {
      const stats = () => new CallStats({ sql: store.sql, cacheTtlMs: 0 });

      it('spring forward (2026-03-29, Berlin): 23 local hours, hour 2 does not exist', async () => {
        const day = await stats().forDay('salon-berlin', '2026-03-29', 'customer');
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

      it('fall back (2026-10-25, Berlin): 25 local hours, hour 2 twice, told apart by the UTC offset', async () => {
        const day = await stats().forDay('salon-berlin', '2026-10-25', 'customer');
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

      it('zones with 45-minute offsets and 30-minute DST shifts land in the right local hour', async () => {
        const ktm = await stats().forDay('salon-ktm', '2026-06-25', 'customer');
        assert.equal(ktm.fromUtc, utc('2026-06-24T18:15:00Z'));
        assert.deepEqual(busyHours(ktm), [
          [0, 345, 1, 0, 2],
          [9, 345, 1, 0, 3],
        ]);
        const lhi = await stats().forDay('salon-lhi', '2026-04-05', 'customer');
        assert.equal(lhi.toUtc - lhi.fromUtc, 24.5 * HOUR_MS);
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

      it('agrees with a row-by-row luxon computation on random calls around both DST changes', async () => {
        // Deterministic pseudo-random calls over 2026-03-27 … 2026-03-31 and 2026-10-23 … 2026-10-27.
        let seed = 7;
        const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
        const rows: Array<{ startedAt: number; appointment: boolean; durationMs: number; customer: number }> = [];
        await store.transaction(async (tx) => {
          for (const base of ['2026-03-27T00:00:00Z', '2026-10-23T00:00:00Z']) {
            for (let i = 0; i < 400; i++) {
              const startedAt = utc(base) + Math.floor(rand() * 5 * DAY_MS);
              const row = { startedAt, appointment: rand() < 0.3, durationMs: 1000 * Math.floor(rand() * 600), customer: Math.round(rand() * 1000) / 100 };
              rows.push(row);
              await call(
                'salon-rand',
                new Date(startedAt).toISOString(),
                { durationMs: row.durationMs, costs: costs(0, 0, 0, row.customer), appointment: row.appointment },
                tx,
              );
            }
          }
        });
        const calc = stats();
        for (const date of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26']) {
          const day = await calc.forDay('salon-rand', date, 'customer');
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
      it('serves a (company, date, role) from memory within the TTL and recomputes after it', async () => {
        let clock = 1_000_000;
        const stats = new CallStats({ sql: store.sql, now: () => clock, cacheTtlMs: 10_000 });
        const first = await stats.forDay('salon-cache', '2026-06-25', 'customer');
        assert.equal(first.totalCalls, 0);
        assert.ok(Object.isFrozen(first) && Object.isFrozen(first.perHour) && Object.isFrozen(first.perHour[0]), 'cached results are frozen');

        await call('salon-cache', '2026-06-25T10:00:00Z', { costs: costs(1, 2, 3, 4), appointment: true });
        clock += 9_999;
        const cached = await stats.forDay('salon-cache', '2026-06-25', 'customer');
        assert.equal(cached, first, 'same object from the cache');
        assert.equal(cached.totalCalls, 0, 'the new call is not visible yet');

        // Another role (or date) is its own cache entry.
        assert.equal((await stats.forDay('salon-cache', '2026-06-25', 'admin')).totalCalls, 1);
        assert.equal((await stats.forDay('salon-cache', '2026-06-24', 'customer')).totalCalls, 0);

        clock += 1; // TTL passed
        const fresh = await stats.forDay('salon-cache', '2026-06-25', 'customer');
        assert.notEqual(fresh, first);
        assert.equal(fresh.totalCalls, 1);
        assert.equal(fresh.totalCostCents, 4);
        assert.equal(fresh.computedAt, clock);

        stats.clearCache();
        await call('salon-cache', '2026-06-25T11:00:00Z', { costs: costs(1, 2, 3, 4) });
        assert.equal((await stats.forDay('salon-cache', '2026-06-25', 'customer')).totalCalls, 2, 'clearCache drops entries');
      });

      it('cacheTtlMs 0 disables the cache', async () => {
        const stats = new CallStats({ sql: store.sql, now: () => 0, cacheTtlMs: 0 });
        const a = await stats.forDay('salon-cache', '2026-06-26', 'customer');
        await call('salon-cache', '2026-06-26T10:00:00Z');
        const b = await stats.forDay('salon-cache', '2026-06-26', 'customer');
        assert.equal(a.totalCalls, 0);
        assert.equal(b.totalCalls, 1);
      });
    });

    describe('input validation', () => {
      it('bad dates are invalid_date (400)', async () => {
        const s = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        for (const date of ['2026-02-30', '2026-13-01', '25.06.2026', '2026-6-5', '2026-06-25T10:00', '', 'heute']) {
          await rejects(s.forDay('salon-berlin', date, 'customer'), 'invalid_date', 400);
        }
        await rejects(s.forDay('salon-berlin', 20260625 as never, 'customer'), 'invalid_date', 400);
      });

      it('unknown companies are unknown_company (404)', async () => {
        const s = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        await rejects(s.forDay('nope', '2026-06-25', 'customer'), 'unknown_company', 404);
        await rejects(s.forDay('', '2026-06-25', 'customer'), 'unknown_company', 404);
      });

      it('unknown roles are invalid_role (400)', async () => {
        const s = new CallStats({ sql: store.sql, cacheTtlMs: 0 });
        await rejects(s.forDay('salon-berlin', '2026-06-25', 'owner' as Role), 'invalid_role', 400);
      });
    });

    if (backend === 'sqlite') {
      describe('query plan (SQLite)', () => {
        for (const [role, bucketMs] of [
          ['customer', HOUR_MS],
          ['reseller', HOUR_MS],
          ['admin', HOUR_MS],
          ['customer', QUARTER_MS],
        ] as const) {
          it(`${role}, ${bucketMs / 60_000}-minute buckets: an index range on calls_company_started, never a scan of calls`, async () => {
            const details = await explainDayQuery(store.sql, role, bucketMs);
            assert.ok(
              details.some((d) => /^SEARCH calls USING (COVERING )?INDEX calls_company_started\w* \(company_id=\? AND started_at>\? AND started_at<\?\)/.test(d)),
              details.join('\n'),
            );
            assert.ok(!details.some((d) => /\bSCAN calls\b/.test(d)), details.join('\n'));
          });
        }
      });

      describe('the covering index (SQLite migration 2)', () => {
        it('answers the query from the index alone; the older two-column index reads the rows but gives the same figures', async () => {
          const other = await openStore(join(dir, 'covering.sqlite'), { now: () => 1 });
          try {
            await insertCompanies(other.sql, [['salon-berlin', 'Europe/Berlin']]);
            // The Berlin salon's calls from the main test database.
            await other.sql.run('ATTACH DATABASE ? AS src', [sqliteFile!]);
            assert.equal(await other.sql.run(`INSERT INTO calls SELECT * FROM src.calls WHERE company_id = 'salon-berlin'`), 16, 'the 16 Berlin calls seeded above');
            await other.sql.run('DETACH DATABASE src');

            const plans = () => Promise.all(ROLES.map((role) => explainDayQuery(other.sql, role)));
            const figures = () => Promise.all(['2026-06-25', '2026-03-29', '2026-10-25'].map((d) => new CallStats({ sql: other.sql, cacheTtlMs: 0, now: () => 1 }).forDay('salon-berlin', d, 'reseller')));
            const range = 'calls_company_started (company_id=? AND started_at>? AND started_at<?)';

            for (const details of await plans()) {
              assert.ok(details.some((d) => d.startsWith(`SEARCH calls USING COVERING INDEX ${range}`)), details.join('\n'));
              assert.ok(!details.some((d) => /\bSCAN calls\b/.test(d)), details.join('\n'));
            }
            const covered = await figures();
            assert.equal(covered[0]!.totalCalls, 5);
            // The copy holds the same Berlin calls: the same figures as the main database.
            const main = new CallStats({ sql: store.sql, cacheTtlMs: 0, now: () => 1 });
            assert.deepEqual(covered, await Promise.all(['2026-06-25', '2026-03-29', '2026-10-25'].map((d) => main.forDay('salon-berlin', d, 'reseller'))));

            // The index as migration 1 made it: still a range, but every row is read from the table.
            await other.sql.run('DROP INDEX calls_company_started');
            await other.sql.run('CREATE INDEX calls_company_started ON calls (company_id, started_at)');
            for (const details of await plans()) {
              assert.ok(details.some((d) => d.startsWith(`SEARCH calls USING INDEX ${range}`)), details.join('\n'));
              assert.ok(!details.some((d) => /\bCOVERING\b|\bSCAN calls\b/.test(d)), details.join('\n'));
            }
            assert.deepEqual(await figures(), covered);
          } finally {
            await other.close();
          }
        });
      });
    }
  });
}

describe('StatsInputError', () => {
  it('is a plain Error subclass the HTTP layer can map', () => {
    const error = new StatsInputError('invalid_date', 'x');
    assert.ok(error instanceof Error, 'an Error');
    assert.equal(error.name, 'StatsInputError');
    assert.equal(error.httpStatus, 400);
    assert.equal(new StatsInputError('unknown_company', 'x').httpStatus, 404);
  });
});

// PostgreSQL plans with a realistic table: 200,000 calls over 50 companies and 90 days (~44
// per company-day), in arrival order like the webhook writes them. What PostgreSQL 15 does:
// after ANALYZE alone (visibility map not yet set) the day query is a Bitmap Index Scan on
// calls_company_started (or an Index Only Scan where autovacuum already ran); after VACUUM
// ANALYZE an Index Only Scan with no heap fetches. Either way an index range, never a Seq Scan.
describe('query plan (PostgreSQL, 200,000 calls)', () => {
  const ROWS = 200_000;
  const COMPANIES = 50;
  const FIRST = utc('2026-02-01T00:00:00Z');
  const SPAN = 90 * DAY_MS;
  const COMPANY = 'salon-07';
  const DATE = '2026-03-10'; // Berlin, CET: [2026-03-09T23:00Z, 2026-03-10T23:00Z)
  const range = { companyId: COMPANY, from: utc('2026-03-09T23:00:00Z'), to: utc('2026-03-10T23:00:00Z') };
  const cases = [
    ['customer', HOUR_MS],
    ['reseller', HOUR_MS],
    ['admin', HOUR_MS],
    ['customer', QUARTER_MS],
  ] as const;
  let pg: TestPostgres;
  let store: Store;

  const INDEX_RANGE = /\b(?:Index Only Scan|Index Scan) using calls_company_started on calls\b|\bBitmap Index Scan on calls_company_started\b/;
  const INDEX_COND = /Index Cond: \(\(company_id = [^)]+\) AND \(started_at >= [^)]+\) AND \(started_at < [^)]+\)\)/;
  function assertIndexRange(lines: string[], label: string): void {
    const plan = lines.join('\n');
    assert.match(plan, INDEX_RANGE, `${label}:\n${plan}`);
    assert.match(plan, INDEX_COND, `${label}: every predicate is an index condition:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan/, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /^\s*Filter:/m, `${label}: nothing is filtered after the index:\n${plan}`);
  }
  const explain = async (sql: Sql, text: string, params?: Record<string, unknown>) =>
    (await sql.all<{ 'QUERY PLAN': string }>(text, params)).map((row) => row['QUERY PLAN']);
  /** The plan a reused prepared statement may switch to after five runs (PostgreSQL's generic plan). */
  const genericPlan = (role: Role, bucketMs: number) =>
    store.sql.transaction(async (tx) => {
      const name = `stats_generic_${role}_${bucketMs}`;
      const text = dayQuerySql(role, bucketMs).replace(/@companyId/g, '$1').replace(/@from/g, '$2').replace(/@to/g, '$3');
      await tx.run('SET LOCAL plan_cache_mode = force_generic_plan');
      await tx.run(`PREPARE ${name} (text, bigint, bigint) AS ${text}`);
      try {
        return await explain(tx, `EXPLAIN EXECUTE ${name} ('${COMPANY}', ${range.from}, ${range.to})`);
      } finally {
        await tx.run(`DEALLOCATE ${name}`);
      }
    });

  before(async () => {
    pg = await freshPostgres('stats_plan');
    store = await openStore(pg.url);
    await insertCompanies(
      store.sql,
      Array.from({ length: COMPANIES }, (_, i) => [`salon-${String(i).padStart(2, '0')}`, 'Europe/Berlin'] as const),
    );
    // Generated in the database (this seeding is PostgreSQL's own SQL; the queries under test are not).
    const inserted = await store.sql.run(
      `INSERT INTO calls (call_id, company_id, direction, status, started_at, ended_at, duration_ms,
         cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, has_appointment, updated_at)
       SELECT 'call-' || g, 'salon-' || lpad(((g * 7919) % ${COMPANIES})::text, 2, '0'), 'inbound', 'ended', s, s + d, d,
              d / 6000.0, d / 5000.0, d / 4000.0, d / 3000.0, CASE WHEN g % 3 = 0 THEN 1 ELSE 0 END, s + d
         FROM generate_series(1::bigint, ${ROWS}::bigint) AS g,
              LATERAL (SELECT ${FIRST}::bigint + g * ${SPAN}::bigint / ${ROWS} AS s, 1000 * (20 + (g * 31) % 580) AS d) AS t`,
    );
    assert.equal(inserted, ROWS);
    await store.sql.run('ANALYZE calls');
  });
  after(async () => {
    await store?.close();
    await pg?.drop();
  });

  it('after ANALYZE: every role and bucket size is an index range on calls_company_started (real company-day, explainDayQuery, generic plan)', async () => {
    for (const [role, bucketMs] of cases) {
      const label = `${role}/${bucketMs / 60_000} min`;
      assertIndexRange(await explain(store.sql, `EXPLAIN ${dayQuerySql(role, bucketMs)}`, range), `${label}, ${COMPANY} ${DATE}`);
      assertIndexRange(await explainDayQuery(store.sql, role, bucketMs), `${label}, explainDayQuery`);
      assertIndexRange(await genericPlan(role, bucketMs), `${label}, generic plan`);
    }
  });

  it('after VACUUM ANALYZE: an Index Only Scan with no heap fetches (the INCLUDE columns cover every role), counting the day CallStats reports', async () => {
    await store.sql.run('VACUUM ANALYZE calls');
    const day = await new CallStats({ sql: store.sql, cacheTtlMs: 0 }).forDay(COMPANY, DATE, 'customer');
    assert.equal(day.fromUtc, range.from);
    assert.equal(day.toUtc, range.to);
    assert.ok(day.totalCalls > 20, `a realistic company-day (${day.totalCalls} calls)`);
    for (const [role, bucketMs] of cases) {
      const label = `${role}/${bucketMs / 60_000} min`;
      const lines = await explain(store.sql, `EXPLAIN (ANALYZE, TIMING OFF) ${dayQuerySql(role, bucketMs)}`, range);
      const plan = lines.join('\n');
      assertIndexRange(lines, label);
      const scan = lines.find((line) => line.includes('Index Only Scan using calls_company_started on calls'));
      assert.ok(scan, `${label}: index-only:\n${plan}`);
      assert.equal(Number(/actual rows=(\d+)/.exec(scan)?.[1]), day.totalCalls, `${label}: the scan reads exactly the day's calls:\n${plan}`);
      assert.match(plan, /Heap Fetches: 0\b/, `${label}:\n${plan}`);
      assertIndexRange(await genericPlan(role, bucketMs), `${label}, generic plan`);
    }
  });
});
