import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { loadCatalog, type Catalog } from '../../src/catalog/index.ts';
import { createCore, type Core, type CoreOptions } from '../../src/core.ts';
import { startCalcomSimulator, type CalcomSimulator } from '../../src/simulator/index.ts';
import { simulatorOptionsFromCatalog } from '../../src/simulator/from-catalog.ts';
import { testLogger } from './logger.ts';
import { startTestRedis, uniquePrefix } from './redis.ts';

export const SAMPLE_CATALOG_FILE = 'data/catalog.json';
export const COMPANY = 'salon-schmidt';
export const ZONE = 'Europe/Berlin';

export interface CoreHarness {
  core: Core;
  sim: CalcomSimulator;
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  dir: string;
  catalog: Catalog;
  /** A second core on the same Redis and database, e.g. for a restart. */
  startCore(overrides?: Partial<CoreOptions>): Promise<Core>;
  close(): Promise<void>;
}

/** The booking core against a real Redis, a SQLite file and the Cal.com simulator over HTTP. */
export async function startCoreHarness(overrides: Partial<CoreOptions> = {}): Promise<CoreHarness> {
  const redis = await startTestRedis();
  const dir = mkdtempSync(join(tmpdir(), 'vbr-core-'));
  const catalog = loadCatalog(SAMPLE_CATALOG_FILE);
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
      databaseFile: join(dir, 'booking.sqlite'),
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
  return {
    core,
    sim,
    redis,
    dir,
    catalog,
    startCore,
    async close() {
      await core.close();
      await sim.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A working day (Mon–Sat) at least two days ahead, at the given local time, in UTC ms. */
export function upcomingWorkday(time: string, daysAhead = 2): number {
  let day = DateTime.now().setZone(ZONE).plus({ days: daysAhead }).startOf('day');
  while (day.weekday === 7) day = day.plus({ days: 1 });
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour, minute }).toMillis();
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const customer = (n: number) => ({ name: `Kunde ${n}`, email: `kunde${n}@example.de`, phone: `+49151${String(1000000 + n).padStart(7, '0')}` });
