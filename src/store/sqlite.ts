import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteMigrations } from './migrations.ts';
import type { Params, Sql } from './sql.ts';

/** Opens (creating if needed) the SQLite file in WAL mode and brings its schema up to date. */
export function openSqlite(file: string): Sql {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('busy_timeout = 5000'); // first: processes opening a fresh file together wait for each other
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // durable at checkpoints; WAL keeps commits atomic
  db.pragma('foreign_keys = ON');
  migrate(db);
  return new SqliteSql(db, file, { open: null });
}

/**
 * Applies what is missing, one migration per IMMEDIATE transaction that first re-reads the
 * version: processes starting at the same moment on a fresh file queue on the write lock
 * (busy_timeout) and each migration runs exactly once.
 */
function migrate(db: Database.Database): void {
  const step = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= sqliteMigrations.length) return false;
    db.exec(sqliteMigrations[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate());
}

/** The transaction open on this connection, if any: other queries wait for it to end. */
interface Gate {
  open: Promise<void> | null;
}

/** better-sqlite3 is synchronous: each call runs at once, its result handed back as a promise. */
class SqliteSql implements Sql {
  readonly dialect = 'sqlite';

  constructor(
    private readonly db: Database.Database,
    readonly describe: string,
    private readonly gate: Gate,
    private readonly inTransaction = false,
    private readonly statements = new Map<string, Database.Statement>(),
  ) {}

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    await this.pass();
    return bind(this.statement(sql), params, 'all') as T[];
  }
  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    await this.pass();
    return bind(this.statement(sql), params, 'get') as T | undefined;
  }
  async run(sql: string, params?: Params): Promise<number> {
    await this.pass();
    return (bind(this.statement(sql), params, 'run') as Database.RunResult).changes;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    // Not `await this.pass()`: the gate must be taken in the same tick the loop finds it open,
    // or two transactions waiting for it both take it (BEGIN inside BEGIN).
    while (this.gate.open) await this.gate.open;
    let end!: () => void;
    this.gate.open = new Promise((resolve) => (end = resolve));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const tx = new SqliteSql(this.db, this.describe, this.gate, true, this.statements);
      const result = await fn(tx);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.gate.open = null;
      end();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private async pass(): Promise<void> {
    if (this.inTransaction) return;
    while (this.gate.open) await this.gate.open;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}

function bind(statement: Database.Statement, params: Params | undefined, as: 'all' | 'get' | 'run'): unknown {
  if (params === undefined) return statement[as]();
  return Array.isArray(params) ? statement[as](...params) : statement[as](params);
}
