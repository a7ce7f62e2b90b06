import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.ts';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('busy_timeout = 5000'); // first: processes opening a fresh file together wait for each other
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // durable at checkpoints; WAL keeps commits atomic
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Applies what is missing, one migration per IMMEDIATE transaction that first re-reads the
 * version: processes starting at the same moment on a fresh file queue on the write lock
 * (busy_timeout) and each migration runs exactly once.
 */
function migrate(db: Db): void {
  const step = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= migrations.length) return false;
    db.exec(migrations[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate());
}
