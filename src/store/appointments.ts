import type { Db } from './db.ts';

export type AppointmentStatus = 'pending' | 'booked' | 'cancelled' | 'failed';
export type Origin = 'voice' | 'api' | 'admin' | 'calcom';
export type SyncStatus = 'synced' | 'pending' | 'review';

export interface Appointment {
  id: number;
  companyId: string;
  serviceId: string;
  customerId: number | null;
  calendarKey: string;
  eventTypeId: number;
  startUtc: number;
  endUtc: number;
  status: AppointmentStatus;
  calcomUid: string | null;
  commandId: string | null;
  callId: string | null;
  groupId: string | null;
  segmentIndex: number;
  syncStatus: SyncStatus;
  syncAttempts: number;
  syncError: string | null;
  origin: Origin;
  customerName: string | null;
  customerPhone: string | null;
  customerEmail: string | null;
  /** The appointment this one was moved to (the caller's reference follows it). */
  replacedBy: number | null;
  /** Booked in Cal.com but not yet confirmed by the business (event types that require confirmation). */
  awaitingConfirmation: 0 | 1;
  /** The command changing this appointment right now (a reschedule), and until when its hold counts. */
  heldBy: string | null;
  heldUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewAppointment = Pick<Appointment, 'companyId' | 'serviceId' | 'calendarKey' | 'eventTypeId' | 'startUtc' | 'endUtc' | 'status' | 'origin'> &
  Partial<Pick<Appointment, 'customerId' | 'calcomUid' | 'commandId' | 'callId' | 'groupId' | 'segmentIndex' | 'syncStatus' | 'customerName' | 'customerPhone' | 'customerEmail'>>;

const columns = `id, company_id AS companyId, service_id AS serviceId, customer_id AS customerId, calendar_key AS calendarKey,
  event_type_id AS eventTypeId, start_utc AS startUtc, end_utc AS endUtc, status, calcom_uid AS calcomUid,
  command_id AS commandId, call_id AS callId, group_id AS groupId, segment_index AS segmentIndex,
  sync_status AS syncStatus, sync_attempts AS syncAttempts, sync_error AS syncError, origin,
  customer_name AS customerName, customer_phone AS customerPhone, customer_email AS customerEmail,
  replaced_by AS replacedBy, awaiting_confirmation AS awaitingConfirmation, held_by AS heldBy, held_until AS heldUntil, created_at AS createdAt, updated_at AS updatedAt`;

/** Pending (its Cal.com create may be under way) or booked: the appointment holds its time. */
export function isLiveAppointment(a: Pick<Appointment, 'status'>): boolean {
  return a.status === 'booked' || a.status === 'pending';
}

/** Appointments: written only by the slot actor owning their calendar-day (and the sync job). */
export class AppointmentStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO appointments (company_id, service_id, customer_id, calendar_key, event_type_id, start_utc, end_utc, status,
           calcom_uid, command_id, call_id, group_id, segment_index, sync_status, origin, customer_name, customer_phone, customer_email,
           created_at, updated_at)
         VALUES (@companyId, @serviceId, @customerId, @calendarKey, @eventTypeId, @startUtc, @endUtc, @status,
           @calcomUid, @commandId, @callId, @groupId, @segmentIndex, @syncStatus, @origin, @customerName, @customerPhone, @customerEmail,
           @now, @now)`,
      ),
      // Live = pending or booked; a pending row may already be booked in Cal.com.
      overlap: db.prepare(
        `SELECT ${columns} FROM appointments
         WHERE calendar_key = ? AND company_id = ? AND start_utc < ? AND end_utc > ? AND status IN ('pending', 'booked')
           AND start_utc > ? - 86400000
         ORDER BY start_utc`,
      ),
      byId: db.prepare(`SELECT ${columns} FROM appointments WHERE id = ?`),
      byCommand: db.prepare(`SELECT ${columns} FROM appointments WHERE command_id = ?`),
      byUid: db.prepare(`SELECT ${columns} FROM appointments WHERE calcom_uid = ?`),
      byGroup: db.prepare(`SELECT ${columns} FROM appointments WHERE group_id = ? ORDER BY segment_index`),
      setStatus: db.prepare('UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?'),
      // Booked means it is in Cal.com: whatever made the row, it is in sync now.
      setBooked: db.prepare(`UPDATE appointments SET status = 'booked', calcom_uid = ?, sync_status = 'synced', updated_at = ? WHERE id = ?`),
      setReplaced: db.prepare(`UPDATE appointments SET status = 'cancelled', replaced_by = ?, held_by = NULL, held_until = NULL, updated_at = ? WHERE id = ?`),
      setAwaiting: db.prepare('UPDATE appointments SET awaiting_confirmation = ?, updated_at = ? WHERE id = ?'),
      withdraw: db.prepare("DELETE FROM appointments WHERE id = ? AND status = 'pending' AND calcom_uid IS NULL"),
      setHold: db.prepare('UPDATE appointments SET held_by = ?, held_until = ?, updated_at = ? WHERE id = ?'),
      forCall: db.prepare(`SELECT ${columns} FROM appointments WHERE company_id = ? AND call_id = ? AND start_utc >= ? AND status IN ('pending', 'booked') ORDER BY start_utc`),
      setSync: db.prepare('UPDATE appointments SET sync_status = ?, sync_attempts = ?, sync_error = ?, updated_at = ? WHERE id = ?'),
      forCompany: db.prepare(`SELECT ${columns} FROM appointments WHERE company_id = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc`),
      forCustomer: db.prepare(
        `SELECT ${columns} FROM appointments WHERE company_id = ? AND customer_phone = ? AND start_utc >= ? AND status IN ('pending', 'booked') ORDER BY start_utc`,
      ),
      bookedForCall: db.prepare(`SELECT 1 FROM appointments WHERE call_id = ? AND status = 'booked' LIMIT 1`),
      stalePending: db.prepare(`SELECT ${columns} FROM appointments WHERE status = 'pending' AND updated_at < ? ORDER BY id LIMIT ?`),
    };
  }

  insert(row: NewAppointment): Appointment {
    const info = this.stmts.insert.run({
      customerId: null, calcomUid: null, commandId: null, callId: null, groupId: null, segmentIndex: 0, syncStatus: 'synced',
      customerName: null, customerPhone: null, customerEmail: null,
      ...row,
      now: this.now(),
    });
    return this.byId(Number(info.lastInsertRowid))!;
  }

  /** Live appointments of a company's calendar that intersect [startUtc, endUtc) (calendar names are per company). */
  overlapping(companyId: string, calendarKey: string, startUtc: number, endUtc: number): Appointment[] {
    // The lower bound on start_utc keeps the scan on the (calendar_key, start_utc) index short.
    return this.stmts.overlap.all(calendarKey, companyId, endUtc, startUtc, startUtc) as Appointment[];
  }

  byId(id: number): Appointment | undefined {
    return this.stmts.byId.get(id) as Appointment | undefined;
  }
  byCommandId(commandId: string): Appointment | undefined {
    return this.stmts.byCommand.get(commandId) as Appointment | undefined;
  }
  byCalcomUid(uid: string): Appointment | undefined {
    return this.stmts.byUid.get(uid) as Appointment | undefined;
  }
  byGroup(groupId: string): Appointment[] {
    return this.stmts.byGroup.all(groupId) as Appointment[];
  }

  markBooked(id: number, calcomUid: string): void {
    this.stmts.setBooked.run(calcomUid, this.now(), id);
  }
  setStatus(id: number, status: AppointmentStatus): void {
    this.stmts.setStatus.run(status, this.now(), id);
  }
  /** The old row of a reschedule: cancelled, pointing at the row that replaces it. */
  markReplaced(id: number, replacedBy: number): void {
    this.stmts.setReplaced.run(replacedBy, this.now(), id);
  }
  setAwaitingConfirmation(id: number, awaiting: boolean): void {
    this.stmts.setAwaiting.run(awaiting ? 1 : 0, this.now(), id);
  }
  /** Holds the appointment for `commandId` until `untilUtc` (or releases it with nulls). */
  /** Drops an intent nothing was sent to Cal.com for (its hold withdrawn, no trace left). */
  withdraw(id: number): void {
    this.stmts.withdraw.run(id);
  }
  setHold(id: number, commandId: string | null, untilUtc: number | null): void {
    this.stmts.setHold.run(commandId, untilUtc, this.now(), id);
  }
  /**
   * What an id the caller was told stands for now: the row itself, or — after reschedules —
   * the row it was moved to (followed a bounded number of hops).
   */
  current(id: number): Appointment | undefined {
    let row = this.byId(id);
    for (let hops = 0; row?.replacedBy && hops < 50; hops++) row = this.byId(row.replacedBy) ?? row;
    return row;
  }
  setSync(id: number, status: SyncStatus, attempts: number, error: string | null): void {
    this.stmts.setSync.run(status, attempts, error, this.now(), id);
  }

  forCompany(companyId: string, fromUtc: number, toUtc: number): Appointment[] {
    return this.stmts.forCompany.all(companyId, fromUtc, toUtc) as Appointment[];
  }
  upcomingForCustomer(companyId: string, phone: string, fromUtc: number): Appointment[] {
    return this.stmts.forCustomer.all(companyId, phone, fromUtc) as Appointment[];
  }
  /** Live appointments made (or moved) in this call from `fromUtc` on. */
  upcomingForCall(companyId: string, callId: string, fromUtc: number): Appointment[] {
    return this.stmts.forCall.all(companyId, callId, fromUtc) as Appointment[];
  }
  hasBookedForCall(callId: string): boolean {
    return this.stmts.bookedForCall.get(callId) !== undefined;
  }
  /** Intents left pending longer than `olderThanMs` (their command died mid-flight). */
  stalePending(olderThanMs: number, limit = 100): Appointment[] {
    return this.stmts.stalePending.all(this.now() - olderThanMs, limit) as Appointment[];
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
