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
import { openStore, type Role } from '../src/store/index.ts';
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

memoizeZoneOffsets(); // as the service does at start
const dir = mkdtempSync(join(tmpdir(), 'vbr-bench-admin-'));
const now = DateTime.now().setZone('Europe/Berlin').set({ hour: 15 }).toMillis();
const store = openStore(join(dir, 'admin.sqlite'), () => now);
const db = store.db;
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
syncCatalog(db, catalog);
const companies = catalog.companies.map((c) => c.id);

progress(`seeding ${ROWS.toLocaleString('en')} calls (${DAYS} days up to today), ${APPOINTMENTS.toLocaleString('en')} appointments, orphans …`);
const seedStarted = performance.now();
const firstDay = DateTime.fromMillis(now, { zone: 'Europe/Berlin' }).startOf('day').minus({ days: DAYS - 1 }).toMillis();
const insertCall = db.prepare(
  `INSERT INTO calls (call_id, company_id, status, started_at, ended_at, duration_ms, cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, has_appointment, updated_at)
   VALUES (?, ?, 'ended', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertAppointment = db.prepare(
  `INSERT INTO appointments (company_id, service_id, calendar_key, event_type_id, start_utc, end_utc, status, origin, sync_status, customer_name, customer_phone, segment_index, created_at, updated_at)
   VALUES (?, 'herren', 'anna', 10000, ?, ?, ?, 'voice', ?, 'Kundin', '+4915100000000', 0, ?, ?)`,
);
db.transaction(() => {
  // Calls in arrival order, as the webhook writes them.
  const starts = new Float64Array(ROWS);
  for (let k = 0; k < ROWS; k++) starts[k] = Math.floor(firstDay + rand() * (now - firstDay));
  starts.sort();
  starts.forEach((startedAt, n) => {
    const duration = 1000 * (20 + Math.floor(rand() * 580));
    const raw = Math.round(duration / 600) / 10;
    insertCall.run(`call_${n.toString(36)}`, pick(companies), startedAt, startedAt + duration, duration, raw, raw, raw * 1.3, raw * 1.8, rand() < 0.35 ? 1 : 0, startedAt + duration);
  });
  // Appointments from 60 days back to 30 ahead; a few need review.
  for (let k = 0; k < APPOINTMENTS; k++) {
    const start = Math.floor(now + (rand() * 90 - 60) * 24 * HOUR);
    insertAppointment.run(pick(companies), start, start + HOUR / 2, rand() < 0.1 ? 'cancelled' : 'booked', rand() < 0.002 ? 'review' : 'synced', start, start);
  }
  for (let k = 0; k < 200; k++) store.orphans.record(`uid_${k}`, pick(companies), `cmd_${k}`, 'save_failed', 'SQLITE_BUSY');
})();
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('optimize');
progress(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const reader = new AdminOverviewReader({ db, stats: new CallStats({ db, now: () => now, cacheTtlMs: 0 }), catalog: new CatalogIndex(catalog), now: () => now });
const dates = Array.from({ length: DAYS }, (_, d) => DateTime.fromMillis(firstDay, { zone: 'Europe/Berlin' }).plus({ days: d }).toISODate()!);
const measure = (count: number, dateOf: () => string) => {
  const times: number[] = [];
  const reads: number[] = [];
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const overview = reader.read(pick(companies), pick(ROLES), dateOf());
    reads.push(performance.now() - t0);
    bytes += dashboardPage(overview).length;
    times.push(performance.now() - t0);
  }
  const read = summarize(reads, 1);
  return { ...summarize(times, performance.now() - started), readP50: read.p50, readP95: read.p95, averageBytes: Math.round(bytes / count) };
};
measure(50, () => pick(dates)); // warm-up
const today = dates.at(-1)!;
const results = { anyDay: measure(ITERATIONS, () => pick(dates)), today: measure(ITERATIONS, () => today) };
const callsPerCompanyDay = Math.round(ROWS / COMPANIES / DAYS);
printTable(
  Object.entries(results).map(([name, r]) => ({ pages: name, n: r.count, 'p50 ms': r.p50, 'p95 ms': r.p95, 'p99 ms': r.p99, 'max ms': r.max, 'pages/s': r.perSecond, 'read p50': r.readP50, 'read p95': r.readP95, 'bytes': r.averageBytes })),
);
store.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'admin', rows: ROWS, companies: COMPANIES, days: DAYS, callsPerCompanyDay, appointments: APPOINTMENTS, ...results, targetMs: 50 }));
