import type { BookInput } from './book.ts';
import type { CancelInput } from './cancel.ts';
import type { ClaimReply } from './hold.ts';
import type { BookReply, CancelReply } from './replies.ts';
import type { RescheduleInput } from './reschedule.ts';
import { slotKeyAt } from './slot-key.ts';
import { nearestAlternatives } from '../availability/alternatives.ts';
import type { AvailabilityCache } from '../availability/cache.ts';
import { freeStarts } from '../availability/free-starts.ts';
import type { CatalogIndex, ServiceEntry } from '../catalog/index.ts';
import type { SendOptions } from '../runtime/actor-runtime.ts';
import type { Reply } from '../runtime/command.ts';
import type { SlotClient } from './slot-actor.ts';
import { placeholderEmail } from '../domain/index.ts';
import { addWaits, type Waits } from '../observability/waits.ts';
import type { Store } from '../store/index.ts';

/** A command's answer as the front door sees it: the actor's reply, or "still working". */
export type Outcome<T> = T | { status: 'pending'; code: 'still_processing'; message: string } | { status: 'error'; code: string; message: string };

export type BookOutcome = Outcome<BookReply> & { alternatives?: number[] };

export interface BookingServiceDeps {
  slot: SlotClient;
  catalog: CatalogIndex;
  availability: AvailabilityCache;
  store: Store;
  now: () => number;
}

/**
 * What the front door calls: reads go to the availability cache (no actor), changes go
 * to the slot actor owning the calendar-day and are awaited until the deadline.
 */
export class BookingService {
  constructor(private readonly deps: BookingServiceDeps) {}

  service(companyId: string, serviceId: string): ServiceEntry | undefined {
    return this.deps.catalog.service(companyId, serviceId);
  }

  /** Start times in [fromUtc, toUtc) at which the whole service fits. */
  freeStarts(entry: ServiceEntry, fromUtc: number, toUtc: number): Promise<number[]> {
    return freeStarts(this.deps.availability, entry, Math.max(fromUtc, this.deps.now()), toUtc);
  }

  alternatives(entry: ServiceEntry, requestedUtc: number, count = 3): Promise<number[]> {
    return nearestAlternatives(this.deps.availability, entry, { requestedUtc, count, notBeforeUtc: this.deps.now() });
  }

  async book(commandId: string, input: BookInput & { start: string }, deadlineMs: number): Promise<BookOutcome> {
    const entry = this.deps.catalog.service(input.companyId, input.serviceId);
    if (!entry) return { status: 'rejected', code: 'unknown_service', message: `unknown service ${input.serviceId}` };
    const startUtc = Date.parse(input.start);
    const key = slotKeyAt(input.companyId, entry.calendarKey, startUtc, entry.company.timeZone);
    // The double-check against Cal.com is the booking's effect's (outside the mailbox, after the
    // hold): a repeat of a command already sent joins it or gets its reply without any read.
    const reply = await outcomeOf(this.deps.slot.book(key, input, send(commandId, input.callId, deadlineMs)));
    if (reply.status !== 'slot_unavailable') return reply;
    return { ...reply, alternatives: await this.alternatives(entry, startUtc).catch(() => []) };
  }

  async cancel(commandId: string, input: CancelInput, callId: string | undefined, deadlineMs: number): Promise<Outcome<CancelReply>> {
    const key = await this.keyOfAppointment(input.companyId, input.appointmentId);
    if (!key) return { status: 'rejected', code: 'appointment_not_found', message: `no appointment ${input.appointmentId}` };
    return outcomeOf(this.deps.slot.cancel(key, input, send(commandId, callId, deadlineMs)));
  }

  /**
   * Moves an appointment. Every change of an existing appointment is decided by the actor of its
   * current day: the move first claims it there (a concurrent cancel or move is then refused
   * with the truth), then books the new time in the new day's actor — a single booking with
   * Cal.com's own reschedule, a composite one as new bookings whose old ones are then cancelled
   * — and the old day settles the claim (retired on success, released on failure).
   */
  async reschedule(commandId: string, input: RescheduleInput, deadlineMs: number): Promise<BookOutcome> {
    const old = await this.deps.store.appointments.byId(input.appointmentId);
    const entry = old && old.companyId === input.companyId ? this.deps.catalog.service(old.companyId, old.serviceId) : undefined;
    if (!old || !entry) return { status: 'rejected', code: 'appointment_not_found', message: `no appointment ${input.appointmentId}` };
    const oldKey = slotKeyAt(old.companyId, old.calendarKey, old.startUtc, entry.company.timeZone);
    const startUtc = Date.parse(input.start);
    const key = slotKeyAt(input.companyId, entry.calendarKey, startUtc, entry.company.timeZone);
    const started = this.deps.now();
    const remaining = () => Math.max(100, deadlineMs - (this.deps.now() - started));
    const target = { companyId: input.companyId, appointmentId: old.id };

    const single = entry.segments.length === 1;
    // A repeat of a move already sent joins it or gets its reply; only a new one claims.
    const repeat = await this.deps.slot.knows(key, single ? commandId : `${commandId}:in`).catch(() => false);
    const claimed = repeat ? ({ status: 'claimed' } as const) : await outcomeOf(this.deps.slot.claim(oldKey, { ...target, holder: commandId }, send(`${commandId}:claim`, input.callId, deadlineMs)));
    if (claimed.status !== 'claimed') return claimed.status === 'rejected' ? { ...claimed, code: claimed.code === 'already_cancelled' ? 'not_reschedulable' : claimed.code } : claimed;
    const release = () => this.deps.slot.tell.release(oldKey, { ...target, holder: commandId }, send(`${commandId}:release`, input.callId));

    let reply: BookOutcome;
    if (single) {
      reply = await outcomeOf(this.deps.slot.reschedule(key, input, send(commandId, input.callId, remaining())));
    } else {
      const rows = old.groupId ? await this.deps.store.appointments.byGroup(old.groupId) : [old];
      // The new booking keeps who booked and how (an appointment seen only in Cal.com moves as a voice booking).
      const placeholder = entry.company.placeholderEmailDomain && placeholderEmail((old.customerPhone ?? String(old.id)).replace(/\D/g, ''), entry.company.placeholderEmailDomain);
      const email = old.customerEmail || placeholder;
      if (!email) {
        await release();
        return { status: 'rejected', code: 'missing_email', message: 'the appointment has no email to book the new time with' };
      }
      const customer = { name: old.customerName ?? 'Kunde', email, ...(old.customerPhone && { phone: old.customerPhone }) };
      const origin = old.origin === 'calcom' ? 'voice' : old.origin;
      const bookInput = { companyId: input.companyId, serviceId: old.serviceId, start: input.start, customer, origin, replacing: rows.map((r) => r.id), ...(input.callId && { callId: input.callId }) };
      reply = await outcomeOf(this.deps.slot.book(key, bookInput, send(`${commandId}:in`, input.callId, remaining())));
      if (reply.status === 'booked') {
        const out = { ...target, reason: 'Termin verschoben', holder: commandId, replacedBy: reply.appointment.appointmentId };
        const cancelled = await outcomeOf(this.deps.slot.cancel(oldKey, out, send(`${commandId}:out`, input.callId, remaining())));
        if (cancelled.status !== 'cancelled') {
          await this.cancel(`${commandId}:undo`, { companyId: input.companyId, appointmentId: reply.appointment.appointmentId, reason: 'Verschieben fehlgeschlagen' }, input.callId, remaining());
          await release();
          return { status: 'error', code: 'reschedule_failed', message: 'the old appointment could not be cancelled; the move was undone' };
        }
      }
    }
    // A move still running keeps its claim: it settles (or lapses) by itself.
    if (reply.status !== 'booked' && reply.status !== 'pending') await release();
    if (reply.status !== 'slot_unavailable') return reply;
    return { ...reply, alternatives: await this.alternatives(entry, startUtc).catch(() => []) };
  }

  /** Whether this command was already sent to the actor of the appointment (a repeat gets its first answer). */
  async alreadySent(commandId: string, companyId: string, appointmentId: number): Promise<boolean> {
    const key = await this.keyOfAppointment(companyId, appointmentId);
    return !!key && (await this.deps.slot.knows(key, commandId).catch(() => false));
  }

  /** The slot key of an existing appointment, from the store. */
  async keyOfAppointment(companyId: string, appointmentId: number): Promise<string | undefined> {
    const row = await this.deps.store.appointments.byId(appointmentId);
    const company = this.deps.catalog.company(companyId);
    if (!row || row.companyId !== companyId || !company) return undefined;
    return slotKeyAt(companyId, row.calendarKey, row.startUtc, company.timeZone);
  }
}

const send = (id: string, callId: string | undefined, deadlineMs?: number): SendOptions => ({ id, ...(callId && { callId }), ...(deadlineMs && { deadlineMs }) });

/** The actor's answer as the front door sees it: its reply, "still working" past the deadline, or the runtime's error. */
async function outcomeOf<T>(asked: Promise<Reply<T>>): Promise<Outcome<T>> {
  const reply = await asked;
  if (reply.ok) {
    addWaits(reply.value as Partial<Waits>);
    return reply.value;
  }
  if (reply.error.code === 'timeout') return { status: 'pending', code: 'still_processing', message: reply.error.message };
  return { status: 'error', code: reply.error.code, message: reply.error.message };
}
