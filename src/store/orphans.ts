import type { Db } from './db.ts';

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

const columns = `calcom_uid AS calcomUid, company_id AS companyId, command_id AS commandId, reason, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, escalated, created_at AS createdAt`;

/** Cal.com bookings we hold no appointment for and could not cancel yet; the sweeper retries them. */
export class OrphanStore {
  private readonly stmts;

  constructor(db: Db, private readonly now: () => number = Date.now) {
    this.stmts = {
      record: db.prepare(
        `INSERT INTO orphaned_bookings (calcom_uid, company_id, command_id, reason, last_error, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (calcom_uid) DO UPDATE SET resolved_at = NULL, reason = excluded.reason, last_error = excluded.last_error`,
      ),
      due: db.prepare(`SELECT ${columns} FROM orphaned_bookings WHERE resolved_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`),
      resolve: db.prepare('UPDATE orphaned_bookings SET resolved_at = ?, attempts = attempts + 1 WHERE calcom_uid = ?'),
      retryLater: db.prepare('UPDATE orphaned_bookings SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, escalated = ? WHERE calcom_uid = ?'),
      openCount: db.prepare('SELECT COUNT(*) AS n FROM orphaned_bookings WHERE resolved_at IS NULL'),
      open: db.prepare(`SELECT ${columns} FROM orphaned_bookings WHERE resolved_at IS NULL ORDER BY created_at`),
    };
  }

  record(calcomUid: string, companyId: string | null, commandId: string | null, reason: string, error: string | null): void {
    const now = this.now();
    this.stmts.record.run(calcomUid, companyId, commandId, reason, error, now, now);
  }
  due(limit = 50): OrphanedBooking[] {
    return this.stmts.due.all(this.now(), limit) as OrphanedBooking[];
  }
  resolve(calcomUid: string): void {
    this.stmts.resolve.run(this.now(), calcomUid);
  }
  retryLater(calcomUid: string, error: string, delayMs: number, escalate: boolean): void {
    this.stmts.retryLater.run(error, this.now() + delayMs, escalate ? 1 : 0, calcomUid);
  }
  openCount(): number {
    return (this.stmts.openCount.get() as { n: number }).n;
  }
  open(): OrphanedBooking[] {
    return this.stmts.open.all() as OrphanedBooking[];
  }
}
