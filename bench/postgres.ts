/**
 * A throwaway PostgreSQL database for a benchmark or a test (test/helpers/database.ts), on
 * BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else the local server on its default
 * port. `drop` removes it (after the store closed its pool).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `vbr_bench_${label.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`;
  await admin(async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer (${error.message}); start one, or set BENCH_POSTGRES_URL`);
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
