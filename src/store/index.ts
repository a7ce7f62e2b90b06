import { AppointmentStore } from './appointments.ts';
import { CallChangeStore } from './call-changes.ts';
import { CallStore } from './calls.ts';
import { CommandResultStore } from './command-results.ts';
import { CustomerStore } from './customers.ts';
import { openDatabase, type Db } from './db.ts';
import { OrphanStore } from './orphans.ts';
import { TenantStore } from './tenants.ts';

export * from './appointments.ts';
export * from './call-changes.ts';
export * from './calls.ts';
export * from './command-results.ts';
export * from './customers.ts';
export * from './db.ts';
export * from './orphans.ts';
export * from './tenants.ts';

/** Every table's store over one SQLite connection. */
export interface Store {
  db: Db;
  appointments: AppointmentStore;
  customers: CustomerStore;
  calls: CallStore;
  callChanges: CallChangeStore;
  orphans: OrphanStore;
  tenants: TenantStore;
  commandResults: CommandResultStore;
  /** This store's identity, made when it was created: every process on one store reads the same. */
  storeId: string;
  close(): void;
}

export function openStore(file: string, now: () => number = Date.now): Store {
  const db = openDatabase(file);
  return {
    db,
    appointments: new AppointmentStore(db, now),
    customers: new CustomerStore(db, now),
    calls: new CallStore(db, now),
    callChanges: new CallChangeStore(db, now),
    orphans: new OrphanStore(db, now),
    tenants: new TenantStore(db),
    commandResults: new CommandResultStore(db, now),
    storeId: (db.prepare(`SELECT value FROM store_meta WHERE key = 'store_id'`).get() as { value: string }).value,
    close: () => db.close(),
  };
}
