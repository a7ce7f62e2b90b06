import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * A second connection to a service's SQLite file, for tests to look at (and, with triggers,
 * break) what the service wrote. WAL lets it read while the service writes.
 */
export function peekSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * The PostgreSQL server the tests use: TEST_POSTGRES_URL, else the local one on its default
 * port. `.ci/run` starts one; a test that needs it fails (never skips) when none answers.
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  /** URL of a database of its own, created empty for this test. */
  url: string;
  /** A client on that database, for looking at what the service wrote. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A new, empty database on the test server; `drop` removes it (after the service closed its pool). */
export async function freshPostgres(label = 'test'): Promise<TestPostgres> {
  const name = `vbr_${label.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer (${error.message}); .ci/run starts one, or set TEST_POSTGRES_URL`);
  });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const peek = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    query: async (sql, params) => (await peek.query(sql, params)).rows,
    async drop() {
      await peek.end();
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
