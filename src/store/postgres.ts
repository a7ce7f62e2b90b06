import { createHash } from 'node:crypto';
import pg from 'pg';
import { postgresMigrations } from './migrations.ts';
import type { Params, Sql } from './sql.ts';

export interface PostgresOptions {
  url: string;
  /** Connections this process keeps open (each command holds one only while a query runs). */
  poolSize?: number;
}

/** Epoch-ms columns are BIGINT and counts are bigint in PostgreSQL: both fit a JS number exactly. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    if (oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** Connects to PostgreSQL and brings the schema up to date (once, however many processes start together). */
export async function openPostgres(options: PostgresOptions): Promise<Sql> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types });
  // An idle connection the server dropped must not take the process down.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresSql(pool, redact(options.url));
}

/** Any fixed 64-bit number: every process migrating this database takes the same lock. */
const MIGRATION_LOCK = 7_420_311_901;

/**
 * Applies what is missing under a session advisory lock: processes starting at the same
 * moment on a fresh database queue on the lock, and each re-reads the version once it holds it.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    let version = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    for (; version < postgresMigrations.length; version++) {
      await client.query('BEGIN');
      await client.query(postgresMigrations[version]!);
      await client.query('UPDATE schema_version SET version = $1', [version + 1]);
      await client.query('COMMIT');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

interface Translated {
  text: string;
  /** Prepared once per connection under this name (unnamed past MAX_PREPARED texts). */
  name: string | undefined;
  /** For named parameters: which value goes to $1, $2, … */
  names: string[] | null;
}

/** Translations depend only on the SQL text: shared by every pool and transaction. */
const translated = new Map<string, Translated>();

class PostgresSql implements Sql {
  readonly dialect = 'postgres';

  constructor(
    private readonly db: pg.Pool | pg.PoolClient,
    readonly describe: string,
    private readonly inTransaction = false,
  ) {}

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }
  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }
  async run(sql: string, params?: Params): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const client = await (this.db as pg.Pool).connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresSql(client, this.describe, true));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is not given to the next command.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.inTransaction && !(this.db as pg.Pool).ended) await (this.db as pg.Pool).end();
  }

  private query(sql: string, params: Params | undefined): Promise<pg.QueryResult> {
    const named = params !== undefined && !Array.isArray(params);
    const key = named ? `@${sql}` : sql;
    let t = translated.get(key);
    if (!t) {
      t = translate(sql, named);
      // Statements are prepared per connection under their name: only a bounded set of texts is.
      if (translated.size < MAX_PREPARED) translated.set(key, t);
      else t = { ...t, name: undefined };
    }
    const values = params === undefined ? [] : t.names ? t.names.map((n) => valueOf(params as Record<string, unknown>, n)) : (params as unknown[]);
    return this.db.query({ ...(t.name && { name: t.name }), text: t.text, values });
  }
}

const MAX_PREPARED = 1000;

/** A named parameter the SQL uses must be given (SQLite refuses a missing one too); `undefined` is NULL. */
function valueOf(params: Record<string, unknown>, name: string): unknown {
  if (!(name in params)) throw new Error(`missing SQL parameter @${name}`);
  return params[name] ?? null;
}

/**
 * `?` → `$1, $2, …` in order; `@name` → one `$k` per distinct name. The store's SQL holds no
 * `?` or `@` inside string literals or comments (values are always parameters).
 */
function translate(sql: string, named: boolean): Translated {
  let text: string;
  let names: string[] | null = null;
  if (named) {
    const order: string[] = [];
    text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
      let at = order.indexOf(name);
      if (at < 0) at = order.push(name) - 1;
      return `$${at + 1}`;
    });
    names = order;
  } else {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
  }
  return { text, names, name: `s${createHash('sha1').update(text).digest('hex').slice(0, 16)}` };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql (unparsable URL)';
  }
}
