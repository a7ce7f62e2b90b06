import type { Sql } from './sql.ts';

/**
 * Durable replies of booking commands, keyed by command id. BullMQ keeps replies for a
 * retention window; this table keeps what a booking command answered for as long as
 * the appointment exists, so a very late repeat still gets the same answer.
 */
export class CommandResultStore {
  constructor(private readonly sql: Sql, private readonly now: () => number = Date.now) {}

  async get<T>(commandId: string): Promise<T | undefined> {
    const row = await this.sql.get<{ reply: string }>('SELECT reply FROM command_results WHERE command_id = ?', [commandId]);
    return row ? (JSON.parse(row.reply) as T) : undefined;
  }

  async put(commandId: string, type: string, actorKey: string, reply: unknown): Promise<void> {
    await this.sql.run('INSERT INTO command_results (command_id, type, actor_key, reply, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      commandId,
      type,
      actorKey,
      JSON.stringify(reply),
      this.now(),
    ]);
  }
}
