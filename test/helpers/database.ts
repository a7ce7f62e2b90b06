import Database from 'better-sqlite3';
import pg from 'pg';
import { createBenchDatabase } from '../../bench/postgres.ts';

/**
 * A second connection to a service's SQLite file, for tests to look at (and, with triggers,
 * break) what the service wrote. WAL lets it read while the service writes.
 */
export function peekSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface TestPostgres {
  /** URL of a database of its own, created empty for this test. */
  url: string;
  /** A client on that database, for looking at what the service wrote. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the test server (TEST_POSTGRES_URL, else the local one on its default
 * port; `.ci/run` starts one, and a test that needs it fails — never skips — when none answers).
 * `drop` removes it, after the service closed its pool.
 */
export async function freshPostgres(label = 'test'): Promise<TestPostgres> {
  const database = await createBenchDatabase(label);
  const peek = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    url: database.url,
    query: async (sql, params) => (await peek.query(sql, params)).rows,
    async drop() {
      await peek.end();
      await database.drop();
    },
  };
}
