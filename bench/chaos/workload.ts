import { DateTime } from 'luxon';
import type { LoadCompany } from '../stack/load-catalog.ts';
import type { Stack } from '../stack/stack.ts';
import { publicHoliday } from '../../src/domain/holidays.ts';

const ZONE = 'Europe/Berlin';
const SERVICE = 'Herrenhaarschnitt';
const FIRST_NAMES = ['Max', 'Anna', 'Lukas', 'Marie', 'Felix', 'Sophie', 'Jonas', 'Lea', 'Paul', 'Mia'];
const LAST_NAMES = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer'];

/** One HTTP function call as the agent saw it. */
export interface CallSample {
  name: string;
  /** Client-side latency, request start to parsed reply. */
  ms: number;
  /** HTTP status, or undefined when the request got no answer (service down or killed mid-request). */
  status: number | undefined;
  /** 200 with `success: boolean` and a `message` string. */
  structured: boolean;
  error?: string;
  at: number;
}

export type BookOutcome = 'booked' | 'slot_unavailable' | 'rejected' | 'still_processing' | 'technical' | 'unreachable';

/** One booking command (one call id, one set of args), however often the agent had to ask. */
export interface BookingRecord {
  callId: string;
  companyId: string;
  /** Requested start, UTC ISO. */
  start: string;
  outcome: BookOutcome;
  /** The last error code, for anything but booked. */
  error?: string;
  appointmentId?: number;
  /** HTTP requests made for this command (1 unless the agent had to ask again). */
  requests: number;
  /** When the first request went out / the deciding answer came back (epoch ms). */
  firstAt: number;
  decidedAt?: number;
}

export interface WorkloadOptions {
  callers: number;
  /** Days ahead (from tomorrow) that callers pick dates from. */
  horizonDays?: number;
  /**
   * How long one command is asked again (same call id and args, so the same command id)
   * while it has no decided answer: no reply, still processing, or a technical error.
   */
  retryWindowMs?: number;
  retryPauseMs?: number;
  /**
   * Share of bookings that skip the availability check and go for a slot another caller
   * was just offered — two callers racing for one slot (default 0.15).
   */
  contention?: number;
}

const TECHNICAL = new Set(['technical_error', 'calcom_error', 'save_failed', 'booking_outcome_unknown', 'handler_error', 'closed', 'internal_error']);

/**
 * Callers that keep booking: each picks a salon, a random working day and time, asks
 * `check_availability` and books the offered slot (or the first alternative) with
 * `book_appointment`. A booking without a decided answer is asked again with the same
 * call id and args — as an agent does after "einen Moment bitte" — so a reply lost to a
 * crash is found again through the command id.
 */
export class BookingWorkload {
  readonly records: BookingRecord[] = [];
  readonly calls: CallSample[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];
  private inFlight = 0;
  private random: () => number;
  /** Starts recently offered to some caller, per company: the slots others race for. */
  private readonly recentOffers = new Map<string, string[]>();

  constructor(
    private readonly stack: Stack,
    private readonly companies: LoadCompany[],
    private readonly options: WorkloadOptions,
    seed = 1,
  ) {
    this.random = mulberry32(seed);
  }

  start(): void {
    this.loops = Array.from({ length: this.options.callers }, (_, i) => this.loop(i));
  }

  /** Stops starting new bookings; open ones are still asked again until decided (bounded by the retry window). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Booking requests on the wire right now. */
  get bookingsInFlight(): number {
    return this.inFlight;
  }

  get succeeded(): BookingRecord[] {
    return this.records.filter((r) => r.outcome === 'booked');
  }

  private async loop(index: number): Promise<void> {
    let n = 0;
    while (!this.stopping) {
      const company = this.companies[Math.floor(this.random() * this.companies.length)]!;
      const caller = this.stack.caller(company.phone, randomMobile(this.random), `chaos_${index}_${n++}_${Date.now().toString(36)}`);
      const hot = this.recentOffers.get(company.id) ?? [];
      if (hot.length > 0 && this.random() < (this.options.contention ?? 0.15)) {
        await this.book(caller, company.id, pick(hot, this.random));
        continue;
      }
      const when = this.randomSlot();
      const check = await this.call(caller, 'check_availability', { dienstleistung: SERVICE, datum: when.toISODate(), uhrzeit: when.toFormat('HH:mm') });
      if (!check.body) {
        await sleep(this.options.retryPauseMs ?? 250);
        continue;
      }
      const offered: string | undefined = check.body.available ? check.body.start : check.body.alternatives?.[0]?.start;
      if (!offered) continue;
      this.recentOffers.set(company.id, [...hot.slice(-9), offered]);
      await this.book(caller, company.id, offered);
    }
  }

  /** One booking from a fresh caller, asked again until decided (within the retry window); recorded like the others. */
  async bookAt(company: LoadCompany, startIso: string): Promise<BookingRecord> {
    const caller = this.stack.caller(company.phone, randomMobile(this.random), `chaos_probe_${Date.now().toString(36)}_${Math.floor(this.random() * 1e9)}`);
    return this.book(caller, company.id, startIso);
  }

  private async book(caller: ReturnType<Stack['caller']>, companyId: string, startIso: string): Promise<BookingRecord> {
    const at = DateTime.fromISO(startIso, { zone: ZONE });
    const args = {
      dienstleistung: SERVICE,
      datum: at.toISODate(),
      uhrzeit: at.toFormat('HH:mm'),
      name: `${pick(FIRST_NAMES, this.random)} ${pick(LAST_NAMES, this.random)}`,
    };
    const record: BookingRecord = { callId: caller.callId, companyId, start: at.toUTC().toISO()!, outcome: 'unreachable', requests: 0, firstAt: Date.now() };
    this.records.push(record);
    const until = Date.now() + (this.options.retryWindowMs ?? 30_000);
    for (;;) {
      record.requests++;
      this.inFlight++;
      const reply = await this.call(caller, 'book_appointment', args).finally(() => this.inFlight--);
      const body = reply.body;
      if (body?.success === true) {
        Object.assign(record, { outcome: 'booked', appointmentId: body.appointment_id, decidedAt: Date.now() });
        delete record.error;
        return record;
      }
      if (body) {
        const code = String(body.error ?? '');
        record.error = code;
        if (code === 'slot_no_longer_available') return Object.assign(record, { outcome: 'slot_unavailable' as const, decidedAt: Date.now() });
        if (code !== 'still_processing' && !TECHNICAL.has(code)) return Object.assign(record, { outcome: 'rejected' as const, decidedAt: Date.now() });
        record.outcome = code === 'still_processing' ? 'still_processing' : 'technical';
      } else {
        record.outcome = 'unreachable';
        record.error = reply.error;
      }
      if (Date.now() > until) return record;
      await sleep(this.options.retryPauseMs ?? 250);
    }
  }

  private async call(caller: ReturnType<Stack['caller']>, name: string, args: Record<string, unknown>): Promise<{ body?: Record<string, any>; error?: string }> {
    const at = Date.now();
    const t0 = performance.now();
    try {
      const { status, body } = await caller.fn(name, args);
      const structured = status === 200 && typeof body.success === 'boolean' && typeof body.message === 'string';
      this.calls.push({ name, ms: performance.now() - t0, status, structured, at, ...(typeof body.error === 'string' && { error: body.error }) });
      return status === 200 ? { body } : { error: `http_${status}` };
    } catch (error) {
      const code = errorCode(error);
      this.calls.push({ name, ms: performance.now() - t0, status: undefined, structured: false, error: code, at });
      return { error: code };
    }
  }

  /** A start on the half-hour grid, 08:00–19:30, Monday to Saturday but public holidays, within the horizon. */
  private randomSlot(): DateTime {
    const today = DateTime.now().setZone(ZONE).startOf('day');
    for (;;) {
      const day = today.plus({ days: 1 + Math.floor(this.random() * (this.options.horizonDays ?? 28)) });
      if (day.weekday === 7 || publicHoliday(day.toISODate()!)) continue;
      return day.set({ hour: 8 + Math.floor(this.random() * 12), minute: this.random() < 0.5 ? 0 : 30 });
    }
  }
}

function errorCode(error: unknown): string {
  for (let e: any = error, depth = 0; e && depth < 5; depth++, e = e.cause) {
    if (typeof e.code === 'string') return e.code;
  }
  return (error as Error)?.message ?? String(error);
}

function randomMobile(random: () => number): string {
  return `+49151${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
}

function pick<T>(list: T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Small seeded PRNG so a run's choices can be repeated. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
