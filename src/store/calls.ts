import type { Sql } from './sql.ts';

export interface CallCosts {
  rawCents: number;
  adminCents: number;
  resellerCents: number;
  customerCents: number;
}

export interface CallRecord {
  callId: string;
  companyId: string | null;
  agentId: string | null;
  fromNumber: string | null;
  toNumber: string | null;
  direction: string | null;
  status: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  disconnectionReason: string | null;
  costs: CallCosts | null;
}

/** Lifecycle order of a call's status (Retell's call_status values, or the event that wrote it). */
const rank = (column: string) =>
  `(CASE ${column} WHEN 'registered' THEN 0 WHEN 'started' THEN 1 WHEN 'ongoing' THEN 1 WHEN 'analyzed' THEN 3 ELSE 2 END)`;

const upsertSql = `INSERT INTO calls (call_id, company_id, agent_id, from_number, to_number, direction, status, started_at, ended_at, duration_ms,
    disconnection_reason, cost_raw_cents, cost_admin_cents, cost_reseller_cents, cost_customer_cents, updated_at)
  VALUES (@callId, @companyId, @agentId, @fromNumber, @toNumber, @direction, @status, @startedAt, @endedAt, @durationMs,
    @disconnectionReason, @raw, @admin, @reseller, @customer, @now)
  ON CONFLICT (call_id) DO UPDATE SET
    company_id = COALESCE(excluded.company_id, calls.company_id),
    agent_id = COALESCE(excluded.agent_id, calls.agent_id),
    from_number = COALESCE(excluded.from_number, calls.from_number),
    to_number = COALESCE(excluded.to_number, calls.to_number),
    direction = COALESCE(excluded.direction, calls.direction),
    -- Events may arrive out of order (Retell retries a late call_started): a call never goes back.
    status = CASE WHEN ${rank('excluded.status')} >= ${rank('calls.status')} THEN excluded.status ELSE calls.status END,
    started_at = CASE WHEN excluded.started_at < calls.started_at THEN excluded.started_at ELSE calls.started_at END,
    ended_at = COALESCE(excluded.ended_at, calls.ended_at),
    duration_ms = COALESCE(excluded.duration_ms, calls.duration_ms),
    disconnection_reason = COALESCE(excluded.disconnection_reason, calls.disconnection_reason),
    cost_raw_cents = COALESCE(excluded.cost_raw_cents, calls.cost_raw_cents),
    cost_admin_cents = COALESCE(excluded.cost_admin_cents, calls.cost_admin_cents),
    cost_reseller_cents = COALESCE(excluded.cost_reseller_cents, calls.cost_reseller_cents),
    cost_customer_cents = COALESCE(excluded.cost_customer_cents, calls.cost_customer_cents),
    updated_at = excluded.updated_at`;

/** Calls from Retell's lifecycle webhooks; per-role costs are computed once, when written. */
export class CallStore {
  constructor(private readonly sql: Sql, private readonly now: () => number = Date.now) {}

  async upsert(call: CallRecord): Promise<void> {
    await this.sql.run(upsertSql, {
      ...call,
      raw: call.costs?.rawCents ?? null,
      admin: call.costs?.adminCents ?? null,
      reseller: call.costs?.resellerCents ?? null,
      customer: call.costs?.customerCents ?? null,
      now: this.now(),
    });
  }

  /** Set when a booking made during the call succeeds. Returns whether the call is known. */
  async markHasAppointment(callId: string): Promise<boolean> {
    return (await this.sql.run('UPDATE calls SET has_appointment = 1, updated_at = ? WHERE call_id = ?', [this.now(), callId])) > 0;
  }

  get(callId: string): Promise<Record<string, unknown> | undefined> {
    return this.sql.get('SELECT * FROM calls WHERE call_id = ?', [callId]);
  }
}
