import type { Db } from './db.ts';

/**
 * Durable replies of booking commands, keyed by command id. BullMQ keeps replies for a
 * retention window; this table keeps what a booking command answered for as long as
 * the appointment exists, so a very late repeat still gets the same answer.
 */
export class CommandResultStore {
  private readonly stmts;

  constructor(db: Db, private readonly now: () => number = Date.now) {
    this.stmts = {
      get: db.prepare('SELECT reply FROM command_results WHERE command_id = ?'),
      put: db.prepare('INSERT OR IGNORE INTO command_results (command_id, type, actor_key, reply, created_at) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  get<T>(commandId: string): T | undefined {
    const row = this.stmts.get.get(commandId) as { reply: string } | undefined;
    return row ? (JSON.parse(row.reply) as T) : undefined;
  }

  put(commandId: string, type: string, actorKey: string, reply: unknown): void {
    this.stmts.put.run(commandId, type, actorKey, JSON.stringify(reply), this.now());
  }
}
