import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { loadCatalog, type Catalog } from '../../src/catalog/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { RetellCaller } from '../../src/retell/caller.ts';
import { startService, type Service } from '../../src/service.ts';
import type { CalcomSimulator } from '../../src/simulator/index.ts';
import type Database from 'better-sqlite3';
import { peekSqlite } from './database.ts';
import { openDayFrom } from './days.ts';

/** data/catalog.json of this repository, wherever the tests are started from. */
export const SAMPLE_CATALOG_FILE = fileURLToPath(new URL('../../data/catalog.json', import.meta.url));
/** The dialled number of the sample salon (salon-schmidt). */
export const SALON_NUMBER = '+493012345678';
export const SALON = 'salon-schmidt';
export const ZONE = 'Europe/Berlin';
/** A valid German mobile number the default caller calls from. */
export const DEFAULT_FROM = '+4915112345678';

export interface ServiceHarnessOptions {
  /** Extra or overriding environment variables (strings, as the process would see them). */
  env?: Record<string, string>;
  /** A catalog to write into the temp dir and use instead of data/catalog.json. */
  catalog?: Catalog;
  now?: () => number;
}

export interface CallerOptions {
  /** The dialled number (default: the sample salon's). */
  to?: string;
  callId?: string;
}

export interface ServiceHarness {
  service: Service;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Plays Retell: signed function calls and lifecycle webhooks for one call. */
  caller(from?: string, options?: CallerOptions): RetellCaller;
  /** The service's SQLite connection. */
  /** A second connection to the service's SQLite file, for reading what it wrote. */
  db: Database.Database;
  /** The built-in Cal.com simulator the service books into. */
  sim: CalcomSimulator;
  dir: string;
  stop(): Promise<void>;
}

let callerCounter = 0;

/**
 * The whole service as `npm start` builds it — embedded redis-server, SQLite file and the
 * built-in Cal.com simulator, all under a fresh temp DATA_DIR — on a random port.
 */
export async function startServiceHarness(options: ServiceHarnessOptions = {}): Promise<ServiceHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-http-'));
  let catalogFile = SAMPLE_CATALOG_FILE;
  if (options.catalog) {
    catalogFile = join(dir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify(options.catalog, null, 2));
  }
  const env = { DATA_DIR: dir, CATALOG_FILE: catalogFile, PORT: '0', LOG_LEVEL: 'silent', ...options.env };
  const config = loadConfig(env);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? config.LOG_LEVEL);
  let service: Service;
  try {
    service = await startService(config, logger, options.now);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  if (!service.simulator) throw new Error('the test service must run on the built-in simulator (CALCOM_API_KEY unset)');
  let stopped = false;
  const db = peekSqlite(join(dir, 'booking.sqlite'));
  return {
    service,
    url: service.url,
    db,
    sim: service.simulator,
    dir,
    caller(from = DEFAULT_FROM, callerOptions = {}) {
      return new RetellCaller({
        baseUrl: service.url,
        apiKey: service.retellApiKey,
        toNumber: callerOptions.to ?? SALON_NUMBER,
        fromNumber: from,
        callId: callerOptions.callId ?? `call_test_${process.pid}_${++callerCounter}_${Date.now().toString(36)}`,
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      db.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The sample catalog as loaded (a fresh copy; callers may change it). */
export function sampleCatalog(): Catalog {
  return loadCatalog(SAMPLE_CATALOG_FILE);
}

/** A working day of the simulator (Mon–Sat, not a public holiday) at least `daysAhead` days from now, as a Berlin DateTime at 00:00. */
export function workdayAhead(daysAhead = 3): DateTime {
  return openDayFrom(DateTime.now().setZone(ZONE).plus({ days: daysAhead }).startOf('day'));
}

/** "DD.MM.YYYY", as a caller's date may arrive. */
export const germanDate = (day: DateTime) => day.toFormat('dd.MM.yyyy');

/** UTC ms of a local Berlin time on `day`, e.g. at(day, '10:30'). */
export function at(day: DateTime, hhmm: string): number {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.setZone(ZONE).set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Number of rows of a table (optionally with a WHERE clause). */
export function count(db: Database.Database, table: 'appointments' | 'calls' | 'customers' | 'orphaned_bookings' | 'command_results', where = '1=1', ...params: unknown[]): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get(...params) as { n: number }).n;
}

export { waitFor } from './wait.ts';

/** A raw HTTP request (no signature unless given): status, text and parsed JSON body if any. */
export async function request(
  url: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: Record<string, any> | undefined; headers: Headers }> {
  const body = typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body);
  const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body });
  const text = await response.text();
  let json: Record<string, any> | undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

/** A Prometheus text exposition's sample value for a metric with exactly these labels (0 when absent). */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const wanted = Object.entries(labels);
    if (wanted.length !== Object.keys(got).length) continue;
    if (wanted.every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** A second salon with its own number, event types (2001/2002) and API token. */
export const OTHER_SALON = 'salon-weber';
export const OTHER_SALON_NUMBER = '+493098765432';
export const OTHER_SALON_TOKEN = 'weber-customer-token';

/** The sample catalog plus salon-weber (whose stylist is also called "anna"): tenants must not see each other. */
export function twoCompanyCatalog(): Catalog {
  const sample = sampleCatalog();
  return {
    ...sample,
    companies: [
      ...sample.companies,
      {
        id: OTHER_SALON,
        name: 'Salon Weber',
        timeZone: ZONE,
        businessHours: { open: '09:00', close: '18:00' },
        phoneNumbers: [OTHER_SALON_NUMBER],
        retellAgentIds: [],
        retellToolTokens: [],
        billing: { resellerMarkup: 1.1, customerMarkup: 2 },
        apiTokens: [{ sha256: createHash('sha256').update(OTHER_SALON_TOKEN).digest('hex'), role: 'customer' }],
        services: [
          { id: 'herrenhaarschnitt', name: 'Herrenhaarschnitt', aliases: [], durationMinutes: 30, eventTypeId: 2001, calendar: 'anna' },
          { id: 'damenhaarschnitt', name: 'Damenhaarschnitt', aliases: [], durationMinutes: 60, eventTypeId: 2002, calendar: 'anna' },
        ],
      },
    ],
  };
}

/** A valid German mobile number, distinct per n (libphonenumber accepts +49151 + 8 digits). */
export const mobile = (n: number) => `+49151${String(10_000_000 + n).slice(-8)}`;

/** Mentions German words or umlauts: a sentence the agent can speak to a German caller. */
export function looksGerman(text: unknown): boolean {
  return typeof text === 'string' && /[äöüßÄÖÜ]|\b(Sie|Ihr|Ihre|Ihnen|leider|bitte|Welche|Welchen|Wie|Termin|Datum|Uhrzeit|Dienstleistung|nicht|gibt|ist)\b/.test(text);
}
