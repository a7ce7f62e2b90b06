// The /admin page at 1 M calls: server time of one page (what its Server-Timing `admin;dur`
// reports: the overview read — day stats, 30 daily totals, upcoming appointments, review and
// orphan lists — plus the HTML render), over random company-days with the stats cache off.
//
//   npm run bench -- admin          (env ADMIN_BENCH_ROWS=… to change the call count)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { AdminOverviewReader } from '../src/admin/overview.ts';
import { CatalogIndex, parseCatalog, syncCatalog } from '../src/catalog/index.ts';
import { dashboardPage } from '../src/http/admin/view.ts';
import { memoizeZoneOffsets } from '../src/domain/zone-offsets.ts';
import { CallStats } from '../src/stats/index.ts';
import { openStore, type Role, type Sql } from '../src/store/index.ts';
import { printTable, progress, summarize } from './lib.ts';

const ROWS = Number(process.env.ADMIN_BENCH_ROWS ?? 1_000_000);
const COMPANIES = 50;
const DAYS = 90;
const APPOINTMENTS = 100_000;
const ITERATIONS = 500;
const ROLES: Role[] = ['customer', 'reseller', 'admin'];
const HOUR = 3_600_000;

let state = 0xadd;
function rand(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** Rows per multi-row INSERT (≤ 11 parameters each: well under SQLite's 32,766). */
const BATCH = 500;

/** `INSERT … VALUES (…), (…)` for `count` rows of `row` (a parenthesised tuple of `?` and constants). */
const multiRow = (head: string, row: string, count: number) => `${head} VALUES ${Array(count).fill(row).join(', ')}`;
async function insertBatched(sql: Sql, head: string, row: string, rows: unknown[][]): Promise<void> {
  const full = multiRow(head, row, BATCH);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await sql.run(batch.length === BATCH ? full : multiRow(head, row, batch.length), batch.flat());
  }
}

memoizeZoneOffsets(); // as the service does at start
const dir = mkdtempSync(join(tmpdir(), 'vbr-bench-admin-'));
const now = DateTime.now().setZone('Europe/Berlin').set({ hour: 15 }).toMillis();
const store = await openStore(join(dir, 'admin.sqlite'), () => now);
const catalog = parseCatalog({
  companies: Array.from({ length: COMPANIES }, (_, i) => ({
    id: `salon-${String(i).padStart(2, '0')}`,
    name: `Salon ${i}`,
    services: [
      { id: 'herren', name: 'Herrenhaarschnitt', durationMinutes: 30, eventTypeId: 10_000 + 2 * i, calendar: 'anna' },
      { id: 'damen', name: 'Damenhaarschnitt', durationMinutes: 60, eventTypeId: 10_001 + 2 * i, calendar: 'anna' },
    ],
  })),
});
await syncCatalog(store, catalog);
const companies = catalog.companies.map((c) => c.id);

progress(`seeding ${ROWS.toLocaleString('en')} calls (${DAYS} days up to today), ${APPOINTMENTS.toLocaleString('en')} appointments, orphans …`);
const seedStarted = performance.now();
const firstDay = DateTime.fromMillis(now, { zone: 'Europe/Berlin' }).startOf('day').minus({ days: DAYS - 1 }).toMillis();
await store.transaction(async (tx) => {
  // Calls in arrival order, as the webhook writes them.
  const starts = new Float64Array(ROWS);
  for (let k = 0; k < ROWS; k++) starts[k] = Math.floor(firstDay + rand() * (now - firstDay));
  starts.sort();
  const calls = Array.from(starts, (startedAt, n) => {
    const duration = 1000 * (20 + Math.floor(rand() * 580));
    const raw = Math.round(duration / 600) / 10;
    return [`call_${n.toString(36)}`, pick(companies), startedAt, startedAt + duration, duration, raw, raw, raw * 1.3, raw * 1.8, rand() < 0.35 ? 1 : 0, startedAt + duration];
  });
  await insertBatched(
    tx.sql,
    `INSERT INTO calls (call_id, company_id, started_at, ended_at, duration_ms, cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, has_appointment, updated_at, status)`,
    `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ended')`,
    calls,
  );
  // Appointments from 60 days back to 30 ahead; a few need review.
  const appointments = Array.from({ length: APPOINTMENTS }, () => {
    const start = Math.floor(now + (rand() * 90 - 60) * 24 * HOUR);
    return [pick(companies), start, start + HOUR / 2, rand() < 0.1 ? 'cancelled' : 'booked', rand() < 0.002 ? 'review' : 'synced', start, start];
  });
  await insertBatched(
    tx.sql,
    `INSERT INTO appointments (company_id, start_utc, end_utc, status, sync_status, created_at, updated_at,
       service_id, calendar_key, event_type_id, origin, customer_name, customer_phone, segment_index)`,
    `(?, ?, ?, ?, ?, ?, ?, 'herren', 'anna', 10000, 'voice', 'Kundin', '+4915100000000', 0)`,
    appointments,
  );
  for (let k = 0; k < 200; k++) await tx.orphans.record(`uid_${k}`, pick(companies), `cmd_${k}`, 'save_failed', 'SQLITE_BUSY');
});
await store.sql.all('PRAGMA wal_checkpoint(TRUNCATE)');
await store.sql.run('PRAGMA optimize');
progress(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const reader = new AdminOverviewReader({
  sql: store.sql,
  stats: new CallStats({ sql: store.sql, now: () => now, cacheTtlMs: 0 }),
  catalog: new CatalogIndex(catalog),
  now: () => now,
});
const dates = Array.from({ length: DAYS }, (_, d) => DateTime.fromMillis(firstDay, { zone: 'Europe/Berlin' }).plus({ days: d }).toISODate()!);
const measure = async (count: number, dateOf: () => string) => {
  const times: number[] = [];
  const reads: number[] = [];
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const overview = await reader.read(pick(companies), pick(ROLES), dateOf());
    reads.push(performance.now() - t0);
    bytes += dashboardPage(overview).length;
    times.push(performance.now() - t0);
  }
  const read = summarize(reads, 1);
  return { ...summarize(times, performance.now() - started), readP50: read.p50, readP95: read.p95, averageBytes: Math.round(bytes / count) };
};
await measure(50, () => pick(dates)); // warm-up
const today = dates.at(-1)!;
const results = { anyDay: await measure(ITERATIONS, () => pick(dates)), today: await measure(ITERATIONS, () => today) };
const callsPerCompanyDay = Math.round(ROWS / COMPANIES / DAYS);
printTable(
  Object.entries(results).map(([name, r]) => ({ pages: name, n: r.count, 'p50 ms': r.p50, 'p95 ms': r.p95, 'p99 ms': r.p99, 'max ms': r.max, 'pages/s': r.perSecond, 'read p50': r.readP50, 'read p95': r.readP95, 'bytes': r.averageBytes })),
);
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'admin', rows: ROWS, companies: COMPANIES, days: DAYS, callsPerCompanyDay, appointments: APPOINTMENTS, ...results, targetMs: 50 }));
