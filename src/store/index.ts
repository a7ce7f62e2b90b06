import { AppointmentStore } from './appointments.ts';
import { CallChangeStore } from './call-changes.ts';
import { CallStore } from './calls.ts';
import { CommandResultStore } from './command-results.ts';
import { CustomerStore } from './customers.ts';
import { OrphanStore } from './orphans.ts';
import { openPostgres } from './postgres.ts';
import type { Sql } from './sql.ts';
import { openSqlite } from './sqlite.ts';
import { TenantStore } from './tenants.ts';

export * from './appointments.ts';
export * from './call-changes.ts';
export * from './calls.ts';
export * from './command-results.ts';
export * from './customers.ts';
export * from './orphans.ts';
export * from './sql.ts';
export * from './tenants.ts';

/** Every table's store over one database (SQLite file or PostgreSQL). */
export interface Store {
  sql: Sql;
  appointments: AppointmentStore;
  customers: CustomerStore;
  calls: CallStore;
  callChanges: CallChangeStore;
  orphans: OrphanStore;
  tenants: TenantStore;
  commandResults: CommandResultStore;
  /** This store's identity, made when it was created: every process on one store reads the same. */
  storeId: string;
  /** Runs `fn` atomically over the stores bound to one transaction (keep it to store calls). */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Whether the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A `postgres://` or `postgresql://` URL, else a SQLite file path (`:memory:` for a private one). */
export type StoreLocation = string;

export const isPostgresUrl = (location: StoreLocation): boolean => /^postgres(ql)?:\/\//.test(location);

export interface StoreOptions {
  now?: () => number;
  /** PostgreSQL connections this process keeps (default 10). */
  poolSize?: number;
}

/** Opens the store at `location`, migrating it first (safe with any number of processes starting together). */
export async function openStore(location: StoreLocation, options: StoreOptions | (() => number) = {}): Promise<Store> {
  const { now = Date.now, poolSize } = typeof options === 'function' ? { now: options } : options;
  const sql = isPostgresUrl(location) ? await openPostgres({ url: location, ...(poolSize !== undefined && { poolSize }) }) : openSqlite(location);
  const meta = await sql.get<{ value: string }>(`SELECT value FROM store_meta WHERE key = 'store_id'`);
  return storeOver(sql, meta!.value, now);
}

function storeOver(sql: Sql, storeId: string, now: () => number): Store {
  return {
    sql,
    appointments: new AppointmentStore(sql, now),
    customers: new CustomerStore(sql, now),
    calls: new CallStore(sql, now),
    callChanges: new CallChangeStore(sql, now),
    orphans: new OrphanStore(sql, now),
    tenants: new TenantStore(sql),
    commandResults: new CommandResultStore(sql, now),
    storeId,
    transaction: (fn) => sql.transaction((tx) => fn(storeOver(tx, storeId, now))),
    ping: async () => (await sql.get<{ ok: number }>('SELECT 1 AS ok'))?.ok === 1,
    close: () => sql.close(),
  };
}
