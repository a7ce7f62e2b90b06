import type { Sql } from './sql.ts';

export interface OrphanedBooking {
  calcomUid: string;
  companyId: string | null;
  commandId: string | null;
  reason: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  escalated: number;
  createdAt: number;
}

const columns = `calcom_uid AS "calcomUid", company_id AS "companyId", command_id AS "commandId", reason, attempts,
  next_attempt_at AS "nextAttemptAt", last_error AS "lastError", escalated, created_at AS "createdAt"`;

/** Cal.com bookings we hold no appointment for and could not cancel yet; the sweeper retries them. */
export class OrphanStore {
  constructor(private readonly sql: Sql, private readonly now: () => number = Date.now) {}

  async record(calcomUid: string, companyId: string | null, commandId: string | null, reason: string, error: string | null): Promise<void> {
    const now = this.now();
    await this.sql.run(
      `INSERT INTO orphaned_bookings (calcom_uid, company_id, command_id, reason, last_error, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (calcom_uid) DO UPDATE SET resolved_at = NULL, reason = excluded.reason, last_error = excluded.last_error`,
      [calcomUid, companyId, commandId, reason, error, now, now],
    );
  }
  due(limit = 50): Promise<OrphanedBooking[]> {
    return this.sql.all(`SELECT ${columns} FROM orphaned_bookings WHERE resolved_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`, [this.now(), limit]);
  }
  async resolve(calcomUid: string): Promise<void> {
    await this.sql.run('UPDATE orphaned_bookings SET resolved_at = ?, attempts = attempts + 1 WHERE calcom_uid = ?', [this.now(), calcomUid]);
  }
  async retryLater(calcomUid: string, error: string, delayMs: number, escalate: boolean): Promise<void> {
    await this.sql.run('UPDATE orphaned_bookings SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, escalated = ? WHERE calcom_uid = ?', [
      error,
      this.now() + delayMs,
      escalate ? 1 : 0,
      calcomUid,
    ]);
  }
  async openCount(): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM orphaned_bookings WHERE resolved_at IS NULL'))!.n;
  }
  open(): Promise<OrphanedBooking[]> {
    return this.sql.all(`SELECT ${columns} FROM orphaned_bookings WHERE resolved_at IS NULL ORDER BY created_at`);
  }
}
