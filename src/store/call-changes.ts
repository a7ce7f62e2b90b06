import type { Db } from './db.ts';

/**
 * What each call has changed so far (booked, cancelled, moved), in order. A function call's
 * command id includes the last change made by a *different* request of the same call: a retry
 * of the same request keeps its id and gets its first answer, while the same words after
 * another request changed the call's bookings are a new command that acts on what is true now.
 */
export class CallChangeStore {
  private readonly stmts;

  constructor(db: Db, private readonly now: () => number = Date.now) {
    this.stmts = {
      lastOther: db.prepare('SELECT MAX(seq) AS seq FROM call_changes WHERE company_id = ? AND call_id = ? AND fingerprint != ?'),
      record: db.prepare('INSERT OR IGNORE INTO call_changes (company_id, call_id, fingerprint, command_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** The sequence number of the latest change this call made through another request (0: none). */
  lastOtherChange(companyId: string, callId: string, fingerprint: string): number {
    return (this.stmts.lastOther.get(companyId, callId, fingerprint) as { seq: number | null }).seq ?? 0;
  }

  /** Records that `commandId` changed something; a command is recorded once, however often it answers. */
  record(companyId: string, callId: string, fingerprint: string, commandId: string): void {
    this.stmts.record.run(companyId, callId, fingerprint, commandId, this.now());
  }
}
