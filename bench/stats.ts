// Call statistics at 1M rows: the production query (CallStats.forDay, index range, SQL
// aggregation) vs. the old system's way (a function on the column in WHERE, rows summed
// in JS), measured in one run over the same random company-days.
//
//   npm run bench -- stats          (env STATS_BENCH_ROWS=… to change the row count)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { CallStats, COST_COLUMN, explainDayQuery, type DayStats } from '../src/stats/index.ts';
import { openStore, type Db, type Role } from '../src/store/index.ts';
import { printTable, progress, summarize, type LatencySummary } from './lib.ts';

const ROWS = Number(process.env.STATS_BENCH_ROWS ?? 1_000_000);
const COMPANIES = 50;
const DAYS = 90;
const FIRST_DAY = '2026-02-01'; // the window spans the 2026-03-29 DST change
const PRODUCTION_ITERATIONS = 500;
const NAIVE_MAX_ITERATIONS = 500;
const NAIVE_BUDGET_MS = 20_000; // naive loop stops early (≥ 30 samples) when it is this slow
const FULL_SCAN_ITERATIONS = 10;
const WARMUP = 50;
const ROLES: Role[] = ['customer', 'reseller', 'admin'];

// Deterministic PRNG (mulberry32) so runs are comparable.
let state = 0x5eed;
function rand(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const dir = mkdtempSync(join(tmpdir(), 'vbr-bench-stats-'));
const file = join(dir, 'stats.sqlite');
const store = openStore(file);
const db = store.db;

// ---------------------------------------------------------------- seed
const companies = Array.from({ length: COMPANIES }, (_, i) => ({
  id: `salon-${String(i).padStart(2, '0')}`,
  // Mostly Berlin, a few neighbours, one outlier zone.
  timeZone: i < 40 ? 'Europe/Berlin' : i < 45 ? 'Europe/Vienna' : i < 49 ? 'Europe/Zurich' : 'Europe/London',
}));
const insertCompany = db.prepare('INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)');
for (const c of companies) insertCompany.run(c.id, `Salon ${c.id}`, c.timeZone);

// Busier and quieter salons: weight 1 … 3.
const weighted: number[] = [];
companies.forEach((_, i) => {
  for (let k = 0; k < 10 + Math.round((20 * i) / (COMPANIES - 1)); k++) weighted.push(i);
});

const firstDayUtc = DateTime.fromISO(FIRST_DAY, { zone: 'utc' }).toMillis();
const HOUR = 3_600_000;
const insert = db.prepare(
  `INSERT INTO calls (call_id, company_id, agent_id, from_number, to_number, direction, status, started_at, ended_at, duration_ms,
     disconnection_reason, cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, has_appointment, updated_at)
   VALUES (?, ?, ?, ?, ?, 'inbound', 'ended', ?, ?, ?, 'user_hangup', ?, ?, ?, ?, ?, ?)`,
);
progress(`seeding ${ROWS.toLocaleString('en')} calls over ${COMPANIES} companies and ${DAYS} days into ${file} …`);
const seedStarted = performance.now();
db.transaction(() => {
  let n = 0;
  for (let day = 0; day < DAYS; day++) {
    const perDay = Math.floor(ROWS / DAYS) + (day < ROWS % DAYS ? 1 : 0);
    const dayStart = firstDayUtc + day * 24 * HOUR;
    // 90 % in (European) opening hours, the rest any time; written in arrival order like the webhook does.
    const starts = new Float64Array(perDay);
    for (let k = 0; k < perDay; k++) starts[k] = Math.floor(rand() < 0.9 ? dayStart + 5 * HOUR + rand() * 15 * HOUR : dayStart + rand() * 24 * HOUR);
    starts.sort();
    for (const startedAt of starts) {
      const c = companies[pick(weighted)]!;
      const durationMs = 1000 * (20 + Math.floor(rand() * 580));
      const raw = Math.round(durationMs / 600) / 10; // ~0.17 ct/s
      n++;
      insert.run(
        `call_${(Math.imul(n, 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}${n.toString(36)}`,
        c.id,
        `agent_${c.id}`,
        `+4915${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`,
        `+4930${String(companies.indexOf(c)).padStart(7, '0')}`,
        startedAt,
        startedAt + durationMs,
        durationMs,
        raw,
        raw,
        Math.round(raw * 130) / 100,
        Math.round(raw * 180) / 100,
        rand() < 0.35 ? 1 : 0,
        startedAt + durationMs,
      );
      if (n % 200_000 === 0) progress(`  ${n.toLocaleString('en')} rows`);
    }
  }
})();
db.pragma('wal_checkpoint(TRUNCATE)');
const rows = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
progress(`seeded ${rows.toLocaleString('en')} rows in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s, file ${(statSync(file).size / 1e6).toFixed(0)} MB`);

// ---------------------------------------------------------------- the two ways
const days = Array.from({ length: DAYS }, (_, d) => DateTime.fromMillis(firstDayUtc + d * 24 * HOUR, { zone: 'utc' }).toISODate()!);
const samples = (count: number) => Array.from({ length: count }, () => ({ company: pick(companies), date: pick(days), role: pick(ROLES) }));

interface NaiveStats {
  totalCalls: number;
  callsWithAppointment: number;
  conversion: number;
  averageDurationSeconds: number;
  totalCostCents: number;
  perHour: Map<string, { calls: number; withAppointment: number; costCents: number }>;
}

/** As the replaced system did it: `date()` on the column, then every row summed in application code. */
function makeNaive(sql: string) {
  const stmt = db.prepare(sql);
  return (companyId: string, utcDate: string, role: Role, timeZone: string): NaiveStats => {
    const found = stmt.all(companyId, utcDate) as Array<Record<string, number | string | null>>;
    return aggregateRows(found, role, timeZone);
  };
}
const NAIVE_SQL = `SELECT * FROM calls WHERE company_id = ? AND date(started_at/1000, 'unixepoch') = ?`;
const naive = makeNaive(NAIVE_SQL);
// The old system had no (company_id, started_at) index at all: a full table scan per request.
const naiveFullScan = makeNaive(`SELECT * FROM calls NOT INDEXED WHERE company_id = ? AND date(started_at/1000, 'unixepoch') = ?`);

function aggregateRows(found: Array<Record<string, number | string | null>>, role: Role, timeZone: string): NaiveStats {
  const column = COST_COLUMN[role];
  const perHour = new Map<string, { calls: number; withAppointment: number; costCents: number }>();
  let appointments = 0;
  let duration = 0;
  let durations = 0;
  let cost = 0;
  for (const row of found) {
    const local = DateTime.fromMillis(row.started_at as number, { zone: timeZone });
    const key = `${local.hour}/${local.offset}`;
    const hour = perHour.get(key) ?? { calls: 0, withAppointment: 0, costCents: 0 };
    perHour.set(key, hour);
    const rowCost = (row[column] as number | null) ?? 0;
    hour.calls++;
    hour.costCents += rowCost;
    cost += rowCost;
    if (row.has_appointment) {
      hour.withAppointment++;
      appointments++;
    }
    if (row.duration_ms !== null) {
      duration += row.duration_ms as number;
      durations++;
    }
  }
  return {
    totalCalls: found.length,
    callsWithAppointment: appointments,
    conversion: found.length ? appointments / found.length : 0,
    averageDurationSeconds: durations ? Math.round(duration / durations) / 1000 : 0,
    totalCostCents: cost,
    perHour,
  };
}

// ---------------------------------------------------------------- same answer?
function assertSame(label: string, fast: DayStats, slow: NaiveStats): void {
  const problems: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  if (fast.totalCalls !== slow.totalCalls) problems.push(`totalCalls ${fast.totalCalls} ≠ ${slow.totalCalls}`);
  if (fast.callsWithAppointment !== slow.callsWithAppointment) problems.push(`callsWithAppointment ${fast.callsWithAppointment} ≠ ${slow.callsWithAppointment}`);
  if (!near(fast.conversion, slow.conversion)) problems.push(`conversion ${fast.conversion} ≠ ${slow.conversion}`);
  if (!near(fast.averageDurationSeconds, slow.averageDurationSeconds)) problems.push(`avg duration ${fast.averageDurationSeconds} ≠ ${slow.averageDurationSeconds}`);
  if (!near(fast.totalCostCents, Math.round(slow.totalCostCents * 1e4) / 1e4)) problems.push(`cost ${fast.totalCostCents} ≠ ${slow.totalCostCents}`);
  for (const h of fast.perHour) {
    const other = slow.perHour.get(`${h.hour}/${h.utcOffsetMinutes}`) ?? { calls: 0, withAppointment: 0, costCents: 0 };
    if (h.calls !== other.calls || h.withAppointment !== other.withAppointment || !near(h.costCents, Math.round(other.costCents * 1e4) / 1e4)) {
      problems.push(`hour ${h.hour}/${h.utcOffsetMinutes}: ${JSON.stringify(h)} ≠ ${JSON.stringify(other)}`);
    }
  }
  const counted = fast.perHour.reduce((s, h) => s + h.calls, 0);
  if (counted !== slow.totalCalls) problems.push(`per-hour calls ${counted} ≠ ${slow.totalCalls}`);
  if (problems.length) throw new Error(`${label}: production and naive disagree:\n  ${problems.join('\n  ')}`);
}

const checkDays = ['2026-02-01', '2026-03-29', '2026-03-30', '2026-04-15', '2026-05-01'];
const checkCompanies = [companies[0]!, companies[17]!, companies[42]!, companies[49]!];
const setZone = db.prepare('UPDATE companies SET time_zone = ? WHERE id = ?');
function checkSameAnswers(): number {
  let checked = 0;
  for (const c of checkCompanies) {
    for (const date of checkDays) {
      for (const role of ROLES) {
        // (1) UTC days: the naive SQL as written, against production with the company's zone set to UTC.
        setZone.run('UTC', c.id);
        const utcFast = new CallStats({ db, cacheTtlMs: 0 }).forDay(c.id, date, role);
        setZone.run(c.timeZone, c.id);
        assertSame(`${c.id} ${date} ${role} (UTC day)`, utcFast, naive(c.id, date, role, 'UTC'));
        // (2) local days: the naive rows of the UTC dates the local day touches, filtered row by row with luxon.
        const localFast = new CallStats({ db, cacheTtlMs: 0 }).forDay(c.id, date, role);
        const utcDates = [DateTime.fromISO(date, { zone: 'utc' }).minus({ days: 1 }).toISODate()!, date];
        const stmt = db.prepare(NAIVE_SQL);
        const found = utcDates
          .flatMap((d) => stmt.all(c.id, d) as Array<Record<string, number | string | null>>)
          .filter((row) => DateTime.fromMillis(row.started_at as number, { zone: c.timeZone }).toISODate() === date);
        if (localFast.totalCalls === 0 || utcFast.totalCalls === 0) throw new Error(`${c.id} ${date}: no calls to compare`);
        assertSame(`${c.id} ${date} ${role} (local day)`, localFast, aggregateRows(found, role, c.timeZone));
        checked += 2;
      }
    }
  }
  return checked;
}
progress('checking that both return the same figures …');
const checked = checkSameAnswers();
progress(`  ${checked} company-day-role results agree (UTC days and local days, incl. the DST day 2026-03-29)`);

// ---------------------------------------------------------------- measure
function measure(label: string, iterations: number, fn: (s: ReturnType<typeof samples>[number]) => unknown, budgetMs = Infinity): LatencySummary {
  for (const s of samples(Math.min(WARMUP, iterations))) fn(s);
  const latencies: number[] = [];
  const started = performance.now();
  for (const s of samples(iterations)) {
    const t0 = performance.now();
    fn(s);
    latencies.push(performance.now() - t0);
    if (latencies.length >= 30 && performance.now() - started > budgetMs) break;
  }
  const summary = summarize(latencies, performance.now() - started);
  progress(`  ${label}: ${summary.count} runs, p50 ${summary.p50} ms, p95 ${summary.p95} ms`);
  return summary;
}

const plan = (sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
const productionPlan = explainDayQuery(db).map((r) => r.detail).join('; ');
if (!/USING (COVERING )?INDEX calls_company_started/.test(productionPlan) || /SCAN calls/.test(productionPlan)) throw new Error(`unexpected plan: ${productionPlan}`);
const naivePlan = plan(NAIVE_SQL, 'x', '2026-01-01');
progress(`plan (production): ${productionPlan}`);
progress(`plan (naive):      ${naivePlan}`);

const stats = new CallStats({ db, cacheTtlMs: 0 });
progress(`measuring the production query (${PRODUCTION_ITERATIONS} random company-days, cache off) …`);
const production = measure('production', PRODUCTION_ITERATIONS, (s) => stats.forDay(s.company.id, s.date, s.role));
progress('measuring the naive query …');
const naiveResult = measure('naive', NAIVE_MAX_ITERATIONS, (s) => naive(s.company.id, s.date, s.role, s.company.timeZone), NAIVE_BUDGET_MS);
progress('measuring the naive query without any index (as the old system) …');
const fullScan = measure('naive, full scan', FULL_SCAN_ITERATIONS, (s) => naiveFullScan(s.company.id, s.date, s.role, s.company.timeZone));

store.close();
rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------- report
const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
const row = (name: string, s: LatencySummary, index: string) => ({ query: name, index, runs: s.count, p50_ms: s.p50, p95_ms: s.p95, p99_ms: s.p99, max_ms: s.max });
console.log(`\ncall stats for one company-day, ${rows.toLocaleString('en')} calls, ${COMPANIES} companies, ${DAYS} days\n`);
printTable([
  row('production CallStats.forDay', production, 'covering calls_company_started'),
  row("naive date(started_at)=?, JS sum", naiveResult, 'company_id prefix only'),
  row("naive, full scan", fullScan, 'none (old system)'),
]);
console.log(
  `\nspeedup vs naive: ${ratio(naiveResult.p50, production.p50)}× at p50, ${ratio(naiveResult.p95, production.p95)}× at p95` +
    ` (vs the full scan: ${ratio(fullScan.p50, production.p50)}×)`,
);
const verdict = (s: LatencySummary) => `p95 ≤ 5 ms → ${s.p95 <= 5 ? 'met' : 'MISSED'}; ≥ 20× naive (p50) → ${naiveResult.p50 / s.p50 >= 20 ? 'met' : 'MISSED'}`;
console.log(`targets: ${verdict(production)}`);
console.log(`plans: production "${productionPlan}" | naive "${naivePlan}"`);
const pick3 = (s: LatencySummary) => ({ p50: s.p50, p95: s.p95, p99: s.p99, runs: s.count });
console.log(
  JSON.stringify({
    bench: 'stats',
    rows,
    companies: COMPANIES,
    days: DAYS,
    production: pick3(production),
    naive: pick3(naiveResult),
    speedup: ratio(naiveResult.p50, production.p50),
    speedupP95: ratio(naiveResult.p95, production.p95),
    naiveFullScan: pick3(fullScan),
    sameAnswerChecks: checked,
    targets: { p95Under5ms: production.p95 <= 5, atLeast20x: naiveResult.p50 / production.p50 >= 20 },
  }),
);
