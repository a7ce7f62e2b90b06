import type { Sql } from './sql.ts';

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

const columns = `id, company_id AS "companyId", service_id AS "serviceId", customer_id AS "customerId", calendar_key AS "calendarKey",
  event_type_id AS "eventTypeId", start_utc AS "startUtc", end_utc AS "endUtc", status, calcom_uid AS "calcomUid",
  command_id AS "commandId", call_id AS "callId", group_id AS "groupId", segment_index AS "segmentIndex",
  sync_status AS "syncStatus", sync_attempts AS "syncAttempts", sync_error AS "syncError", origin,
  customer_name AS "customerName", customer_phone AS "customerPhone", customer_email AS "customerEmail",
  replaced_by AS "replacedBy", awaiting_confirmation AS "awaitingConfirmation", held_by AS "heldBy", held_until AS "heldUntil",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Pending (its Cal.com create may be under way) or booked: the appointment holds its time. */
export function isLiveAppointment(a: Pick<Appointment, 'status'>): boolean {
  return a.status === 'booked' || a.status === 'pending';
}

const DAY_MS = 86_400_000;

/** Appointments: written only by the slot actor owning their calendar-day (and the sync job). */
export class AppointmentStore {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number = Date.now,
  ) {}

  async insert(row: NewAppointment): Promise<Appointment> {
    return (await this.sql.get<Appointment>(
      `INSERT INTO appointments (company_id, service_id, customer_id, calendar_key, event_type_id, start_utc, end_utc, status,
         calcom_uid, command_id, call_id, group_id, segment_index, sync_status, origin, customer_name, customer_phone, customer_email,
         created_at, updated_at)
       VALUES (@companyId, @serviceId, @customerId, @calendarKey, @eventTypeId, @startUtc, @endUtc, @status,
         @calcomUid, @commandId, @callId, @groupId, @segmentIndex, @syncStatus, @origin, @customerName, @customerPhone, @customerEmail,
         @now, @now)
       RETURNING ${columns}`,
      {
        customerId: null, calcomUid: null, commandId: null, callId: null, groupId: null, segmentIndex: 0, syncStatus: 'synced',
        customerName: null, customerPhone: null, customerEmail: null,
        ...row,
        now: this.now(),
      },
    ))!;
  }

  /** Live appointments of a company's calendar that intersect [startUtc, endUtc) (calendar names are per company). */
  overlapping(companyId: string, calendarKey: string, startUtc: number, endUtc: number): Promise<Appointment[]> {
    // Live = pending or booked; a pending row may already be booked in Cal.com. The lower bound
    // on start_utc keeps the scan on the (calendar_key, start_utc) index short.
    return this.sql.all(
      `SELECT ${columns} FROM appointments
       WHERE calendar_key = ? AND company_id = ? AND start_utc < ? AND end_utc > ? AND status IN ('pending', 'booked') AND start_utc > ?
       ORDER BY start_utc`,
      [calendarKey, companyId, endUtc, startUtc, startUtc - DAY_MS],
    );
  }

  byId(id: number): Promise<Appointment | undefined> {
    return this.sql.get(`SELECT ${columns} FROM appointments WHERE id = ?`, [id]);
  }
  byCommandId(commandId: string): Promise<Appointment | undefined> {
    return this.sql.get(`SELECT ${columns} FROM appointments WHERE command_id = ?`, [commandId]);
  }
  byCalcomUid(uid: string): Promise<Appointment | undefined> {
    return this.sql.get(`SELECT ${columns} FROM appointments WHERE calcom_uid = ?`, [uid]);
  }
  byGroup(groupId: string): Promise<Appointment[]> {
    return this.sql.all(`SELECT ${columns} FROM appointments WHERE group_id = ? ORDER BY segment_index`, [groupId]);
  }

  /** Booked means it is in Cal.com: whatever made the row, it is in sync now. */
  async markBooked(id: number, calcomUid: string): Promise<void> {
    await this.sql.run(`UPDATE appointments SET status = 'booked', calcom_uid = ?, sync_status = 'synced', updated_at = ? WHERE id = ?`, [calcomUid, this.now(), id]);
  }
  async setStatus(id: number, status: AppointmentStatus): Promise<void> {
    await this.sql.run('UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?', [status, this.now(), id]);
  }
  /**
   * Cancels the rows and lets go of their holds; the old rows of a reschedule point at the row
   * that replaces them (the caller's reference follows it).
   */
  async cancel(ids: readonly number[], replacedBy: number | null = null): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(
      `UPDATE appointments SET status = 'cancelled', replaced_by = COALESCE(?, replaced_by), held_by = NULL, held_until = NULL, updated_at = ?
       WHERE id IN (${ids.map(() => '?').join(', ')})`,
      [replacedBy, this.now(), ...ids],
    );
  }
  async setAwaitingConfirmation(id: number, awaiting: boolean): Promise<void> {
    await this.sql.run('UPDATE appointments SET awaiting_confirmation = ?, updated_at = ? WHERE id = ?', [awaiting ? 1 : 0, this.now(), id]);
  }
  /** Drops an intent nothing was sent to Cal.com for (its hold withdrawn, no trace left). */
  async withdraw(id: number): Promise<void> {
    await this.sql.run("DELETE FROM appointments WHERE id = ? AND status = 'pending' AND calcom_uid IS NULL", [id]);
  }
  /** Holds the appointments for `commandId` until `untilUtc` (or releases them with nulls), all at once. */
  async setHold(ids: readonly number[], commandId: string | null, untilUtc: number | null): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(`UPDATE appointments SET held_by = ?, held_until = ?, updated_at = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
      commandId,
      untilUtc,
      this.now(),
      ...ids,
    ]);
  }
  /**
   * What an id the caller was told stands for now: the row itself, or — after reschedules —
   * the row it was moved to (followed a bounded number of hops).
   */
  async current(id: number): Promise<Appointment | undefined> {
    let row = await this.byId(id);
    for (let hops = 0; row?.replacedBy && hops < 50; hops++) row = (await this.byId(row.replacedBy)) ?? row;
    return row;
  }
  async setSync(id: number, status: SyncStatus, attempts: number, error: string | null): Promise<void> {
    await this.sql.run('UPDATE appointments SET sync_status = ?, sync_attempts = ?, sync_error = ?, updated_at = ? WHERE id = ?', [status, attempts, error, this.now(), id]);
  }

  forCompany(companyId: string, fromUtc: number, toUtc: number): Promise<Appointment[]> {
    return this.sql.all(`SELECT ${columns} FROM appointments WHERE company_id = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc`, [companyId, fromUtc, toUtc]);
  }
  upcomingForCustomer(companyId: string, phone: string, fromUtc: number): Promise<Appointment[]> {
    return this.sql.all(
      `SELECT ${columns} FROM appointments WHERE company_id = ? AND customer_phone = ? AND start_utc >= ? AND status IN ('pending', 'booked') ORDER BY start_utc`,
      [companyId, phone, fromUtc],
    );
  }
  /** Live appointments made (or moved) in this call from `fromUtc` on. */
  upcomingForCall(companyId: string, callId: string, fromUtc: number): Promise<Appointment[]> {
    return this.sql.all(
      `SELECT ${columns} FROM appointments WHERE company_id = ? AND call_id = ? AND start_utc >= ? AND status IN ('pending', 'booked') ORDER BY start_utc`,
      [companyId, callId, fromUtc],
    );
  }
  async hasBookedForCall(callId: string): Promise<boolean> {
    return (await this.sql.get(`SELECT 1 AS one FROM appointments WHERE call_id = ? AND status = 'booked' LIMIT 1`, [callId])) !== undefined;
  }
  /** Intents left pending longer than `olderThanMs` (their command died mid-flight). */
  stalePending(olderThanMs: number, limit = 100): Promise<Appointment[]> {
    return this.sql.all(`SELECT ${columns} FROM appointments WHERE status = 'pending' AND updated_at < ? ORDER BY id LIMIT ?`, [this.now() - olderThanMs, limit]);
  }
}
