// Call statistics at 1M rows on both backends, in one run over the same calls and the same
// random company-days: the production query (CallStats.forDay, index range, SQL aggregation,
// cache off) on a SQLite file and on a fresh PostgreSQL database, and on SQLite the old
// system's way too (a function on the column in WHERE, rows summed in JS).
//
//   npm run bench -- stats          (env STATS_BENCH_ROWS=… to change the row count,
//                                     BENCH_POSTGRES_URL=… for another PostgreSQL server)
//
// Exits 1 when PostgreSQL misses the target (p95 ≤ 5 ms at 1M calls).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { CallStats, COST_COLUMN, dayQuerySql, explainDayQuery, type DayStats } from '../src/stats/index.ts';
import { openStore, type Role, type Sql, type Store } from '../src/store/index.ts';
import { printTable, progress, summarize, verdict, type LatencySummary } from './lib.ts';
import { createBenchDatabase, type BenchDatabase } from './postgres.ts';

const ROWS = Number(process.env.STATS_BENCH_ROWS ?? 1_000_000);
const COMPANIES = 50;
const DAYS = 90;
const FIRST_DAY = '2026-02-01'; // the window spans the 2026-03-29 DST change
const PRODUCTION_ITERATIONS = 500;
const NAIVE_MAX_ITERATIONS = 500;
const NAIVE_BUDGET_MS = 20_000; // naive loop stops early (≥ 30 samples) when it is this slow
const FULL_SCAN_ITERATIONS = 10;
const WARMUP = 50;
const TARGET_P95_MS = 5;
const ROLES: Role[] = ['customer', 'reseller', 'admin'];
const HOUR = 3_600_000;
/** Rows per multi-row INSERT on SQLite (14 parameters each: 7,000 < SQLite's 32,766). */
const SQLITE_BATCH = 500;
/** Rows per `unnest` INSERT on PostgreSQL, and per transaction. */
const PG_BATCH = 10_000;
const PG_TX_ROWS = 100_000;

// Deterministic PRNG (mulberry32) so runs are comparable; the calls are generated twice from the same seed.
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const sampleRand = mulberry32(0x5a4d);
const pick = <T>(items: readonly T[], rand = sampleRand): T => items[Math.floor(rand() * items.length)]!;

const companies = Array.from({ length: COMPANIES }, (_, i) => ({
  id: `salon-${String(i).padStart(2, '0')}`,
  // Mostly Berlin, a few neighbours, one outlier zone.
  timeZone: i < 40 ? 'Europe/Berlin' : i < 45 ? 'Europe/Vienna' : i < 49 ? 'Europe/Zurich' : 'Europe/London',
}));
// Busier and quieter salons: weight 1 … 3.
const weighted: number[] = [];
companies.forEach((_, i) => {
  for (let k = 0; k < 10 + Math.round((20 * i) / (COMPANIES - 1)); k++) weighted.push(i);
});
const firstDayUtc = DateTime.fromISO(FIRST_DAY, { zone: 'utc' }).toMillis();

/** One call row, in the column order of CALL_COLUMNS. */
type CallRow = [
  callId: string,
  companyId: string,
  agentId: string,
  fromNumber: string,
  toNumber: string,
  startedAt: number,
  endedAt: number,
  durationMs: number,
  costRaw: number,
  costAdmin: number,
  costReseller: number,
  costCustomer: number,
  hasAppointment: number,
  updatedAt: number,
];
const CALL_COLUMNS = `call_id, company_id, agent_id, from_number, to_number, started_at, ended_at, duration_ms,
  cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, has_appointment, updated_at,
  direction, status, disconnection_reason`;

/** The calls, in arrival order like the webhook writes them: the same rows every time it is called. */
function* generateCalls(): Generator<CallRow> {
  const rand = mulberry32(0x5eed);
  let n = 0;
  for (let day = 0; day < DAYS; day++) {
    const perDay = Math.floor(ROWS / DAYS) + (day < ROWS % DAYS ? 1 : 0);
    const dayStart = firstDayUtc + day * 24 * HOUR;
    // 90 % in (European) opening hours, the rest any time.
    const starts = new Float64Array(perDay);
    for (let k = 0; k < perDay; k++) starts[k] = Math.floor(rand() < 0.9 ? dayStart + 5 * HOUR + rand() * 15 * HOUR : dayStart + rand() * 24 * HOUR);
    starts.sort();
    for (const startedAt of starts) {
      const index = pick(weighted, rand);
      const c = companies[index]!;
      const durationMs = 1000 * (20 + Math.floor(rand() * 580));
      const raw = Math.round(durationMs / 600) / 10; // ~0.17 ct/s
      n++;
      yield [
        `call_${(Math.imul(n, 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}${n.toString(36)}`,
        c.id,
        `agent_${c.id}`,
        `+4915${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`,
        `+4930${String(index).padStart(7, '0')}`,
        startedAt,
        startedAt + durationMs,
        durationMs,
        raw,
        raw,
        Math.round(raw * 130) / 100,
        Math.round(raw * 180) / 100,
        rand() < 0.35 ? 1 : 0,
        startedAt + durationMs,
      ];
    }
  }
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function insertCompanies(sql: Sql): Promise<void> {
  await sql.transaction(async (tx) => {
    for (const c of companies) await tx.run('INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)', [c.id, `Salon ${c.id}`, c.timeZone]);
  });
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const rate = (rows: number, since: number) => `${Math.round(rows / ((performance.now() - since) / 1000)).toLocaleString('en')} rows/s`;

/** SQLite: multi-row INSERTs through the store's Sql, in one transaction (the file is private to this run). */
async function seedSqlite(sql: Sql): Promise<void> {
  const row = `(${Array(14).fill('?').join(', ')}, 'inbound', 'ended', 'user_hangup')`;
  const statement = (count: number) => `INSERT INTO calls (${CALL_COLUMNS}) VALUES ${Array(count).fill(row).join(', ')}`;
  const full = statement(SQLITE_BATCH);
  const started = performance.now();
  let n = 0;
  await sql.transaction(async (tx) => {
    for (const batch of batches(generateCalls(), SQLITE_BATCH)) {
      await tx.run(batch.length === SQLITE_BATCH ? full : statement(batch.length), batch.flat());
      n += batch.length;
      if (n % 200_000 === 0) progress(`  sqlite: ${n.toLocaleString('en')} rows (${seconds(started)}, ${rate(n, started)})`);
    }
  });
  await sql.all('PRAGMA wal_checkpoint(TRUNCATE)');
  await sql.run('PRAGMA optimize');
}

/**
 * PostgreSQL: one `INSERT … SELECT FROM unnest(arrays)` per 10,000 rows (one parameter per
 * column, however many rows), 100,000 rows per transaction; then VACUUM ANALYZE so that the
 * visibility map is set (index-only scans) and the planner has statistics.
 */
async function seedPostgres(sql: Sql): Promise<void> {
  const insert = `INSERT INTO calls (${CALL_COLUMNS})
    SELECT r.*, 'inbound', 'ended', 'user_hangup'
      FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],
                  ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::int[], ?::bigint[]) AS r`;
  const started = performance.now();
  let n = 0;
  for (const chunk of batches(generateCalls(), PG_TX_ROWS)) {
    await sql.transaction(async (tx) => {
      for (const batch of batches(chunk, PG_BATCH)) {
        const columns = Array.from({ length: 14 }, (_, c) => batch.map((r) => r[c]));
        await tx.run(insert, columns);
      }
    });
    n += chunk.length;
    progress(`  postgres: ${n.toLocaleString('en')} rows (${seconds(started)}, ${rate(n, started)})`);
  }
  const vacuumStarted = performance.now();
  await sql.run('VACUUM ANALYZE calls');
  progress(`  postgres: VACUUM ANALYZE calls in ${seconds(vacuumStarted)}`);
}

const count = async (sql: Sql) => (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))!.n;

// ---------------------------------------------------------------- the naive way (SQLite only)
interface NaiveStats {
  totalCalls: number;
  callsWithAppointment: number;
  conversion: number;
  averageDurationSeconds: number;
  totalCostCents: number;
  perHour: Map<string, { calls: number; withAppointment: number; costCents: number }>;
}
type RawRow = Record<string, number | string | null>;

const NAIVE_SQL = `SELECT * FROM calls WHERE company_id = ? AND date(started_at/1000, 'unixepoch') = ?`;
// The old system had no (company_id, started_at) index at all: a full table scan per request.
const NAIVE_FULL_SCAN_SQL = `SELECT * FROM calls NOT INDEXED WHERE company_id = ? AND date(started_at/1000, 'unixepoch') = ?`;

/** As the replaced system did it: `date()` on the column, then every row summed in application code. */
const makeNaive =
  (sql: Sql, text: string) =>
  async (companyId: string, utcDate: string, role: Role, timeZone: string): Promise<NaiveStats> =>
    aggregateRows(await sql.all<RawRow>(text, [companyId, utcDate]), role, timeZone);

function aggregateRows(found: RawRow[], role: Role, timeZone: string): NaiveStats {
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
const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;

function assertSame(label: string, fast: DayStats, slow: NaiveStats): void {
  const problems: string[] = [];
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

/** Both backends' production answers for one company-day-role: equal up to float summation order. */
function assertSameDay(label: string, a: DayStats, b: DayStats): void {
  const problems: string[] = [];
  for (const key of ['companyId', 'date', 'role', 'timeZone', 'fromUtc', 'toUtc', 'totalCalls', 'callsWithAppointment'] as const) {
    if (a[key] !== b[key]) problems.push(`${key} ${a[key]} ≠ ${b[key]}`);
  }
  for (const key of ['conversion', 'averageDurationSeconds', 'totalCostCents'] as const) if (!near(a[key], b[key])) problems.push(`${key} ${a[key]} ≠ ${b[key]}`);
  if (a.perHour.length !== b.perHour.length) problems.push(`${a.perHour.length} ≠ ${b.perHour.length} hours`);
  a.perHour.forEach((h, i) => {
    const o = b.perHour[i];
    if (!o || h.hour !== o.hour || h.utcOffsetMinutes !== o.utcOffsetMinutes || h.startUtc !== o.startUtc || h.calls !== o.calls || h.withAppointment !== o.withAppointment || !near(h.costCents, o.costCents)) {
      problems.push(`hour ${i}: ${JSON.stringify(h)} ≠ ${JSON.stringify(o)}`);
    }
  });
  if (problems.length) throw new Error(`${label}: SQLite and PostgreSQL disagree:\n  ${problems.join('\n  ')}`);
}

const checkDays = ['2026-02-01', '2026-03-29', '2026-03-30', '2026-04-15', '2026-05-01'];
const checkCompanies = [companies[0]!, companies[17]!, companies[42]!, companies[49]!];

async function checkAgainstNaive(sql: Sql): Promise<number> {
  const naive = makeNaive(sql, NAIVE_SQL);
  const setZone = (timeZone: string, id: string) => sql.run('UPDATE companies SET time_zone = ? WHERE id = ?', [timeZone, id]);
  let checked = 0;
  for (const c of checkCompanies) {
    for (const date of checkDays) {
      for (const role of ROLES) {
        // (1) UTC days: the naive SQL as written, against production with the company's zone set to UTC.
        await setZone('UTC', c.id);
        const utcFast = await new CallStats({ sql, cacheTtlMs: 0 }).forDay(c.id, date, role);
        await setZone(c.timeZone, c.id);
        assertSame(`${c.id} ${date} ${role} (UTC day)`, utcFast, await naive(c.id, date, role, 'UTC'));
        // (2) local days: the naive rows of the UTC dates the local day touches, filtered row by row with luxon.
        const localFast = await new CallStats({ sql, cacheTtlMs: 0 }).forDay(c.id, date, role);
        const utcDates = [DateTime.fromISO(date, { zone: 'utc' }).minus({ days: 1 }).toISODate()!, date];
        const found = (await Promise.all(utcDates.map((d) => sql.all<RawRow>(NAIVE_SQL, [c.id, d]))))
          .flat()
          .filter((row) => DateTime.fromMillis(row.started_at as number, { zone: c.timeZone }).toISODate() === date);
        if (localFast.totalCalls === 0 || utcFast.totalCalls === 0) throw new Error(`${c.id} ${date}: no calls to compare`);
        assertSame(`${c.id} ${date} ${role} (local day)`, localFast, aggregateRows(found, role, c.timeZone));
        checked += 2;
      }
    }
  }
  return checked;
}

async function checkBackendsAgree(sqlite: Sql, postgres: Sql): Promise<number> {
  const a = new CallStats({ sql: sqlite, cacheTtlMs: 0, now: () => 0 });
  const b = new CallStats({ sql: postgres, cacheTtlMs: 0, now: () => 0 });
  let checked = 0;
  for (const c of checkCompanies) {
    for (const date of checkDays) {
      for (const role of ROLES) {
        const [x, y] = await Promise.all([a.forDay(c.id, date, role), b.forDay(c.id, date, role)]);
        if (x.totalCalls === 0) throw new Error(`${c.id} ${date}: no calls to compare`);
        assertSameDay(`${c.id} ${date} ${role}`, x, y);
        checked++;
      }
    }
  }
  return checked;
}

// ---------------------------------------------------------------- measure
const days = Array.from({ length: DAYS }, (_, d) => DateTime.fromMillis(firstDayUtc + d * 24 * HOUR, { zone: 'utc' }).toISODate()!);
type Sample = { company: (typeof companies)[number]; date: string; role: Role };
const samples = (n: number): Sample[] => Array.from({ length: n }, () => ({ company: pick(companies), date: pick(days), role: pick(ROLES) }));
// The same company-days for every backend and query.
const warmupSamples = samples(WARMUP);
const measuredSamples = samples(Math.max(PRODUCTION_ITERATIONS, NAIVE_MAX_ITERATIONS, FULL_SCAN_ITERATIONS));

/** One request at a time (closed loop, concurrency 1): each latency is one whole forDay. */
async function measure(label: string, iterations: number, fn: (s: Sample) => Promise<unknown>, budgetMs = Infinity): Promise<LatencySummary> {
  for (const s of warmupSamples.slice(0, Math.min(WARMUP, iterations))) await fn(s);
  const latencies: number[] = [];
  const started = performance.now();
  for (const s of measuredSamples.slice(0, iterations)) {
    const t0 = performance.now();
    await fn(s);
    latencies.push(performance.now() - t0);
    if (latencies.length >= 30 && performance.now() - started > budgetMs) break;
  }
  const summary = summarize(latencies, performance.now() - started);
  progress(`  ${label}: ${summary.count} runs, p50 ${summary.p50} ms, p95 ${summary.p95} ms, p99 ${summary.p99} ms`);
  return summary;
}

const oneLine = (lines: string[]) => lines.map((l) => l.trim()).join(' / ');

// ---------------------------------------------------------------- run
const dir = mkdtempSync(join(tmpdir(), 'vbr-bench-stats-'));
const file = join(dir, 'stats.sqlite');
let sqliteStore: Store | undefined;
let pgStore: Store | undefined;
let database: BenchDatabase | undefined;
try {
  // SQLite
  sqliteStore = await openStore(file);
  await insertCompanies(sqliteStore.sql);
  progress(`seeding ${ROWS.toLocaleString('en')} calls over ${COMPANIES} companies and ${DAYS} days into ${file} …`);
  let started = performance.now();
  await seedSqlite(sqliteStore.sql);
  const sqliteRows = await count(sqliteStore.sql);
  progress(`seeded ${sqliteRows.toLocaleString('en')} rows into SQLite in ${seconds(started)}, file ${(statSync(file).size / 1e6).toFixed(0)} MB`);

  // PostgreSQL
  database = await createBenchDatabase('stats');
  pgStore = await openStore(database.url);
  await insertCompanies(pgStore.sql);
  progress(`seeding the same calls into PostgreSQL ${pgStore.sql.describe} …`);
  started = performance.now();
  await seedPostgres(pgStore.sql);
  const pgRows = await count(pgStore.sql);
  const pgSize = (await pgStore.sql.get<{ table: number; index: number }>(
    `SELECT pg_total_relation_size('calls') AS "table", pg_relation_size('calls_company_started') AS "index"`,
  ))!;
  progress(
    `seeded ${pgRows.toLocaleString('en')} rows into PostgreSQL in ${seconds(started)}, calls ${(pgSize.table / 1e6).toFixed(0)} MB with indexes (calls_company_started ${(pgSize.index / 1e6).toFixed(0)} MB)`,
  );
  if (pgRows !== sqliteRows) throw new Error(`PostgreSQL has ${pgRows} calls, SQLite ${sqliteRows}`);

  // Same answers: SQLite production vs naive; PostgreSQL vs SQLite.
  progress('checking that production and naive return the same figures on SQLite …');
  const checked = await checkAgainstNaive(sqliteStore.sql);
  progress(`  ${checked} company-day-role results agree (UTC days and local days, incl. the DST day 2026-03-29)`);
  progress('checking that PostgreSQL returns the same figures as SQLite …');
  const agreed = await checkBackendsAgree(sqliteStore.sql, pgStore.sql);
  progress(`  ${agreed} company-day-role results agree`);

  // Plans
  const sqlitePlan = oneLine(await explainDayQuery(sqliteStore.sql));
  if (!/USING (COVERING )?INDEX calls_company_started/.test(sqlitePlan) || /SCAN calls/.test(sqlitePlan)) throw new Error(`unexpected SQLite plan: ${sqlitePlan}`);
  const naivePlan = oneLine((await sqliteStore.sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${NAIVE_SQL}`, ['x', '2026-01-01'])).map((r) => r.detail));
  // PostgreSQL's plan for a real company-day (explainDayQuery asks about a company with no calls).
  const sample = measuredSamples[0]!;
  const probe = await new CallStats({ sql: pgStore.sql, cacheTtlMs: 0 }).forDay(sample.company.id, sample.date, 'customer');
  const pgPlanLines = (
    await pgStore.sql.all<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) ${dayQuerySql('customer')}`, {
      companyId: sample.company.id,
      from: probe.fromUtc,
      to: probe.toUtc,
    })
  ).map((r) => r['QUERY PLAN']);
  const pgPlan = oneLine(pgPlanLines.filter((l) => !/^(Planning|Execution) Time/.test(l.trim())));
  if (!/calls_company_started/.test(pgPlan) || /Seq Scan/.test(pgPlan)) throw new Error(`unexpected PostgreSQL plan: ${pgPlan}`);
  if (!/Index Only Scan using calls_company_started/.test(pgPlan)) progress(`  note: PostgreSQL does not use an index-only scan: ${pgPlan}`);
  progress(`plan (SQLite production): ${sqlitePlan}`);
  progress(`plan (SQLite naive):      ${naivePlan}`);
  progress(`plan (PostgreSQL, ${sample.company.id} ${sample.date}): ${pgPlan}`);

  // Latencies
  const sqliteStats = new CallStats({ sql: sqliteStore.sql, cacheTtlMs: 0 });
  const pgStats = new CallStats({ sql: pgStore.sql, cacheTtlMs: 0 });
  progress(`measuring the production query on SQLite (${PRODUCTION_ITERATIONS} random company-days, cache off) …`);
  const sqliteProduction = await measure('sqlite production', PRODUCTION_ITERATIONS, (s) => sqliteStats.forDay(s.company.id, s.date, s.role));
  progress(`measuring the production query on PostgreSQL (the same ${PRODUCTION_ITERATIONS} company-days, cache off) …`);
  const pgProduction = await measure('postgres production', PRODUCTION_ITERATIONS, (s) => pgStats.forDay(s.company.id, s.date, s.role));
  progress('measuring the naive query on SQLite …');
  const naive = makeNaive(sqliteStore.sql, NAIVE_SQL);
  const naiveResult = await measure('sqlite naive', NAIVE_MAX_ITERATIONS, (s) => naive(s.company.id, s.date, s.role, s.company.timeZone), NAIVE_BUDGET_MS);
  progress('measuring the naive query on SQLite without any index (as the old system) …');
  const naiveFullScan = makeNaive(sqliteStore.sql, NAIVE_FULL_SCAN_SQL);
  const fullScan = await measure('sqlite naive, full scan', FULL_SCAN_ITERATIONS, (s) => naiveFullScan(s.company.id, s.date, s.role, s.company.timeZone));

  // ---------------------------------------------------------------- report
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  const row = (backend: string, name: string, s: LatencySummary, index: string) => ({
    backend,
    query: name,
    index,
    runs: s.count,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  });
  console.log(`\ncall stats for one company-day, ${sqliteRows.toLocaleString('en')} calls, ${COMPANIES} companies, ${DAYS} days\n`);
  printTable([
    row('sqlite', 'production CallStats.forDay', sqliteProduction, 'covering calls_company_started'),
    row('postgres', 'production CallStats.forDay', pgProduction, 'calls_company_started INCLUDE (…)'),
    row('sqlite', 'naive date(started_at)=?, JS sum', naiveResult, 'company_id prefix only'),
    row('sqlite', 'naive, full scan', fullScan, 'none (old system)'),
  ]);
  console.log(
    `\nSQLite speedup vs naive: ${ratio(naiveResult.p50, sqliteProduction.p50)}× at p50, ${ratio(naiveResult.p95, sqliteProduction.p95)}× at p95` +
      ` (vs the full scan: ${ratio(fullScan.p50, sqliteProduction.p50)}×)`,
  );
  console.log(
    `SQLite targets: p95 ≤ ${TARGET_P95_MS} ms → ${verdict(sqliteProduction.p95 <= TARGET_P95_MS)}; ≥ 20× naive (p50) → ${verdict(naiveResult.p50 / sqliteProduction.p50 >= 20)}`,
  );
  const rowsLabel = sqliteRows === 1_000_000 ? '1M' : sqliteRows.toLocaleString('en');
  const pgMet = pgProduction.p95 <= TARGET_P95_MS;
  console.log(`PostgreSQL stats p95 ≤ ${TARGET_P95_MS} ms at ${rowsLabel} calls: ${verdict(pgMet)} (p95 ${pgProduction.p95} ms)`);
  console.log(`plans: SQLite production "${sqlitePlan}" | SQLite naive "${naivePlan}" | PostgreSQL "${pgPlan}"`);
  const pick3 = (s: LatencySummary) => ({ p50: s.p50, p95: s.p95, p99: s.p99, runs: s.count });
  console.log(
    JSON.stringify({
      bench: 'stats',
      rows: sqliteRows,
      companies: COMPANIES,
      days: DAYS,
      sqlite: {
        production: pick3(sqliteProduction),
        naive: pick3(naiveResult),
        speedup: ratio(naiveResult.p50, sqliteProduction.p50),
        speedupP95: ratio(naiveResult.p95, sqliteProduction.p95),
        naiveFullScan: pick3(fullScan),
        sameAnswerChecks: checked,
        targets: { p95Under5ms: sqliteProduction.p95 <= TARGET_P95_MS, atLeast20x: naiveResult.p50 / sqliteProduction.p50 >= 20 },
      },
      postgres: {
        production: pick3(pgProduction),
        sameAsSqliteChecks: agreed,
        indexOnly: /Index Only Scan using calls_company_started/.test(pgPlan),
        targets: { p95Under5ms: pgMet },
      },
    }),
  );
  if (!pgMet) process.exitCode = 1;
} finally {
  await sqliteStore?.close();
  await pgStore?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
}
