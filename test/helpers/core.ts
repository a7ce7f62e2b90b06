import { mkdtempSync, rmSync } from 'node:fs';
import { waitFor } from './wait.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Counter } from 'prom-client';
import { loadCatalog, parseCatalog, type Catalog } from '../../src/catalog/index.ts';
import type { Redis } from 'ioredis';
import { jobIdOf } from '../../src/runtime/command.ts';
import { mailboxName } from '../../src/runtime/partition.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { createCore, type Core, type CoreOptions } from '../../src/core.ts';
import { startCalcomSimulator, type CalcomSimulator } from '../../src/simulator/index.ts';
import { simulatorOptionsFromCatalog } from '../../src/simulator/from-catalog.ts';
import { peekSqlite } from './database.ts';
import { testLogger } from './logger.ts';
import type Database from 'better-sqlite3';
import { startTestRedis, uniquePrefix } from './redis.ts';
import { openDayFrom } from './days.ts';

export const SAMPLE_CATALOG_FILE = 'data/catalog.json';
export const COMPANY = 'salon-schmidt';
export const ZONE = 'Europe/Berlin';

export interface CoreHarness {
  core: Core;
  sim: CalcomSimulator;
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  dir: string;
  /** A second connection to the core's SQLite file: what tests read (and break) directly. */
  db: Database.Database;
  catalog: Catalog;
  /** The BullMQ key prefix of the core's mailboxes. */
  prefix: string;
  /** A plain Redis client on the harness's server (opened on first use, closed with the harness). */
  redisClient(): Redis;
  /** A second core on the same Redis and database, e.g. for a restart. */
  startCore(overrides?: Partial<CoreOptions>): Promise<Core>;
  close(): Promise<void>;
}

/** The booking core against a real Redis, a SQLite file and the Cal.com simulator over HTTP. */
export async function startCoreHarness(overrides: Partial<CoreOptions> = {}): Promise<CoreHarness> {
  const redis = await startTestRedis();
  const dir = mkdtempSync(join(tmpdir(), 'vbr-core-'));
  const catalog = overrides.catalog ?? loadCatalog(SAMPLE_CATALOG_FILE);
  const sim = await startCalcomSimulator({ port: 0, apiKey: 'cal_test_key', ...simulatorOptionsFromCatalog(catalog) });
  const prefix = uniquePrefix('core');
  const startCore = (more: Partial<CoreOptions> = {}) =>
    createCore({
      redis: redis.endpoint,
      queuePrefix: prefix,
      partitions: 4,
      retentionSeconds: 600,
      lockDurationMs: 5000,
      defaultDeadlineMs: 15_000,
      database: join(dir, 'booking.sqlite'),
      catalog,
      calcom: { baseUrl: sim.url, apiKey: 'cal_test_key', timeoutMs: 2000 },
      availabilityTtlMs: 30_000,
      freshViewMs: 5000,
      reconcileDelaysMs: [0],
      logger: testLogger,
      ...overrides,
      ...more,
    });
  const core = await startCore();
  const db = peekSqlite(join(dir, 'booking.sqlite'));
  let client: Redis | undefined;
  return {
    core,
    sim,
    redis,
    dir,
    db,
    catalog,
    prefix,
    redisClient: () => (client ??= connectRedis(redis.endpoint)),
    startCore,
    async close() {
      await client?.quit();
      db.close();
      await core.close();
      await sim.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A working day (Mon–Sat, not a public holiday) at least two days ahead, at the given local time, in UTC ms. */
export function upcomingWorkday(time: string, daysAhead = 2): number {
  const day = openDayFrom(DateTime.now().setZone(ZONE).plus({ days: daysAhead }).startOf('day'));
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour, minute }).toMillis();
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const customer = (n: number) => ({ name: `Kunde ${n}`, email: `kunde${n}@example.de`, phone: `+49151${String(1000000 + n).padStart(7, '0')}` });

/**
 * The sample catalog plus a second salon whose stylist is also called "anna" (own event
 * types 2001/2002, own Cal.com host): tenants must not see or block each other.
 */
export const OTHER_COMPANY = 'salon-weber';
export function twoCompanyCatalog(): Catalog {
  const sample = loadCatalog(SAMPLE_CATALOG_FILE);
  return parseCatalog({
    ...sample,
    companies: [
      ...sample.companies,
      {
        id: OTHER_COMPANY,
        name: 'Salon Weber',
        timeZone: ZONE,
        businessHours: { open: '09:00', close: '18:00' },
        phoneNumbers: ['+493098765432'],
        services: [
          { id: 'herrenhaarschnitt', name: 'Herrenhaarschnitt', durationMinutes: 30, eventTypeId: 2001, calendar: 'anna' },
          { id: 'damenhaarschnitt', name: 'Damenhaarschnitt', durationMinutes: 60, eventTypeId: 2002, calendar: 'anna' },
        ],
      },
    ],
  });
}

export { waitFor };

/** The current value of one labelled series of a prom-client counter (0 if absent). */
export async function counterValue(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return match?.value ?? 0;
}

/** A row of the appointments table as stored (snake_case columns). */
export interface AppointmentRow {
  id: number;
  company_id: string;
  status: string;
  origin: string;
  calcom_uid: string | null;
  command_id: string | null;
  group_id: string | null;
  start_utc: number;
  end_utc: number;
  sync_status: string;
  sync_attempts: number;
  sync_error: string | null;
}

/** Appointment rows matching a SQL condition, e.g. `rowsWhere(h, 'group_id = ?', 'cmd-1')`. */
export function rowsWhere(h: CoreHarness, where: string, ...params: unknown[]): AppointmentRow[] {
  return h.db.prepare(`SELECT * FROM appointments WHERE ${where} ORDER BY id`).all(...params) as AppointmentRow[];
}

/** The Cal.com booking (API shape) with this uid in the simulator. */
export function simBooking(h: CoreHarness, uid: string): Record<string, unknown> | undefined {
  return h.sim.control.bookings().find((b) => b.uid === uid);
}

/** The same local time on the next working day (Mon–Sat, not a public holiday) after `ms`. */
export function nextWorkday(ms: number): number {
  return openDayFrom(DateTime.fromMillis(ms, { zone: ZONE }).plus({ days: 1 })).toMillis();
}

/** Drops an SQLite trigger installed by a test (no error if it is gone). */
export function dropTrigger(h: CoreHarness, name: string): void {
  h.db.exec(`DROP TRIGGER IF EXISTS ${name}`);
}

/**
 * Waits until the runtime has released a command id (its job is gone from the mailbox), as
 * it does after an `error` reply. The asker gets the reply before BullMQ finishes the job,
 * so asking again at once can still meet the first run's job.
 */
export async function waitForRelease(h: CoreHarness, key: string, commandId: string): Promise<void> {
  const hash = `${h.prefix}:${mailboxName(h.core.runtime.partitionOf(key))}:${jobIdOf(commandId)}`;
  await waitFor(async () => (await h.redisClient().exists(hash)) === 0, `release of ${commandId}`);
}
