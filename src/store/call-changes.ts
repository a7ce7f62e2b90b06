import type { Sql } from './sql.ts';

/**
 * What each call has changed so far (booked, cancelled, moved), in order. A function call's
 * command id includes the last change made by a *different* request of the same call: a retry
 * of the same request keeps its id and gets its first answer, while the same words after
 * another request changed the call's bookings are a new command that acts on what is true now.
 */
export class CallChangeStore {
  constructor(private readonly sql: Sql, private readonly now: () => number = Date.now) {}

  /** The sequence number of the latest change this call made through another request (0: none). */
  async lastOtherChange(companyId: string, callId: string, fingerprint: string): Promise<number> {
    const row = await this.sql.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM call_changes WHERE company_id = ? AND call_id = ? AND fingerprint != ?', [
      companyId,
      callId,
      fingerprint,
    ]);
    return row?.seq ?? 0;
  }

  /** Records that `commandId` changed something; a command is recorded once, however often it answers. */
  async record(companyId: string, callId: string, fingerprint: string, commandId: string): Promise<void> {
    await this.sql.run('INSERT INTO call_changes (company_id, call_id, fingerprint, command_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      companyId,
      callId,
      fingerprint,
      commandId,
      this.now(),
    ]);
  }
}
