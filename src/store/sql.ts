/**
 * The one seam between the stores and a database: plain SQL text with `?` (positional) or
 * `@name` (named) parameters, run by SQLite (embedded default) or PostgreSQL (`DATABASE_URL`).
 * Store SQL is written once in the dialect both understand; migrations are per backend.
 */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for messages (a file path, or the PostgreSQL URL without its password). */
  readonly describe: string;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /**
   * Runs `fn` atomically over a handle bound to one transaction. Inside, use only that handle
   * and keep to store calls: on SQLite every other query of this process (the outer handle's
   * too, so using it inside would wait forever) waits until the transaction commits.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
