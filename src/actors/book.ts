import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  buildBookingFields,
  isCalcomError,
  isLiveBooking,
  isRateLimited,
  isSlotTaken,
  isUnknownOutcome,
  toBookingLanguage,
  type CalcomBooking,
} from '../calcom/index.ts';
import type { ServiceEntry } from '../catalog/index.ts';
import type { ActorContext } from '../runtime/actor.ts';
import type { Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
import type { BookReply } from './replies.ts';
import { slotKeyAt } from './slot-key.ts';

/** Who books, what and when: shared by voice bookings and API/admin ones (src/sync). */
export const bookingRequestSchema = z.object({
  companyId: z.string().min(1),
  serviceId: z.string().min(1),
  /** UTC instant, e.g. 2025-11-25T09:30:00.000Z */
  start: z.iso.datetime({ offset: true }),
  customer: z.object({
    name: z.string().min(1).max(200),
    email: z.email(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
    /** The phone is the number the call comes from: only then may it update the stored customer. */
    phoneVerified: z.boolean().optional(),
  }),
});

export const bookInputSchema = bookingRequestSchema.extend({
  callId: z.string().max(200).optional(),
  origin: z.enum(['voice', 'api', 'admin']).default('voice'),
  language: z.string().min(2).max(5).default('de'),
  /** Appointments this booking replaces (a reschedule): they are not conflicts. */
  replacing: z.array(z.number().int()).default([]),
});
export type BookInput = z.input<typeof bookInputSchema>;

/** One Cal.com booking this command makes: a plain service has one, a composite several. */
interface PlannedSegment {
  index: number;
  eventTypeId: number;
  startUtc: number;
  endUtc: number;
  durationMinutes: number;
  commandId: string;
}

class BookingFailed extends Error {
  constructor(readonly reply: BookReply) {
    super(reply.status);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The booking command, inside the slot actor owning the calendar-day:
 * local overlap check → double-check Cal.com (unless a fresh view says free) → intent
 * saved → create with our command id in metadata → answer validated → appointment saved
 * (a failed save cancels in Cal.com; a failed cancel becomes an orphan) → caches dropped.
 * A second delivery of the same command finds its intent and reconciles instead of booking twice.
 */
export async function book(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<BookReply> {
  const parsed = bookInputSchema.safeParse(raw);
  if (!parsed.success) return rejected('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const input = parsed.data;
  const finished = deps.store.commandResults.get<BookReply>(ctx.commandId);
  if (finished) return finished; // a late repeat gets the first answer, even once the start has passed
  const entry = deps.catalog.service(input.companyId, input.serviceId);
  if (!entry) return rejected('unknown_service', `service ${input.serviceId} is not offered by ${input.companyId}`);
  const startUtc = Date.parse(input.start);
  const zone = entry.company.timeZone;
  if (slotKeyAt(input.companyId, entry.calendarKey, startUtc, zone) !== ctx.key) {
    return rejected('wrong_actor', `${input.start} of ${entry.calendarKey} does not belong to ${ctx.key}`);
  }
  if (startUtc <= deps.now()) return rejected('start_in_past', 'the requested start has passed');

  const plan: PlannedSegment[] = entry.segments.map((s) => ({
    index: s.index,
    eventTypeId: s.eventTypeId,
    startUtc: startUtc + s.offsetMinutes * 60_000,
    endUtc: startUtc + (s.offsetMinutes + s.durationMinutes) * 60_000,
    durationMinutes: s.durationMinutes,
    commandId: entry.segments.length === 1 ? ctx.commandId : `${ctx.commandId}#${s.index}`,
  }));

  const reply = await run(deps, ctx, input, entry, plan).catch((error) => {
    if (error instanceof BookingFailed) return error.reply;
    return unexpected(ctx, error);
  });
  if (reply.status === 'error') ctx.releaseId(); // transient: the same id may try again
  else deps.store.commandResults.put(ctx.commandId, 'book', ctx.key, reply);
  deps.observeOutcome?.('book', reply.status === 'booked' ? 'success' : reply.status);
  return reply;
}

async function run(
  deps: SlotActorDeps,
  ctx: ActorContext,
  input: z.output<typeof bookInputSchema>,
  entry: ServiceEntry,
  plan: PlannedSegment[],
): Promise<BookReply> {
  const { store, calcom } = deps;
  const zone = entry.company.timeZone;
  const earlier = plan.map((p) => store.appointments.byCommandId(p.commandId));
  const recovering = earlier.some(Boolean);
  if (recovering) ctx.log.warn('command delivered again: reconciling its earlier intent');

  // 1. Local overlap check: ranges, not equal start times, widened by the event type's buffers
  //    (Cal.com keeps them free around every booking of that type).
  const ours = new Set([...earlier.filter(isDefined).map((a) => a.id), ...input.replacing]);
  for (const segment of plan) {
    const conflict = conflictsOf(deps, input.companyId, entry.calendarKey, segment).find((a) => !ours.has(a.id));
    if (conflict && segment.index === 0 && isSameBookingOfCall(conflict, input, segment.startUtc)) {
      // The caller's own booking from earlier in this call (e.g. a late retry after another change): true, so say so.
      ctx.log.info({ appointmentId: conflict.id }, 'this call already holds exactly this booking');
      return bookedReply(conflict.groupId ? store.appointments.byGroup(conflict.groupId) : [conflict], input.serviceId);
    }
    if (conflict) {
      ctx.log.info({ conflictWith: conflict.id }, 'slot taken locally');
      return slotUnavailable('local_conflict');
    }
  }

  // 2. A redelivered command first looks for the bookings its first delivery made.
  const bookings: Array<CalcomBooking | undefined> = recovering
    ? await Promise.all(plan.map((p, i) => findOwnBooking(deps, p, earlier[i])))
    : plan.map(() => undefined);
  const missing = plan.filter((_, i) => !bookings[i]);

  // 3. Double-check against Cal.com unless a fresh view says the slot is free.
  const free = await Promise.all(missing.map((p) => stillFree(deps, entry, p)));
  if (free.includes(false)) {
    deps.invalidateAvailability(entry.company.id, entry.calendarKey, plan[0]!.startUtc, zone);
    await compensate(deps, ctx, bookings.filter(isDefined), 'slot no longer free');
    for (const row of earlier) if (row) store.appointments.setStatus(row.id, 'failed');
    return slotUnavailable('calcom_unavailable');
  }

  // 4. Intent before Cal.com is called: a crash from here on is reconciled on redelivery.
  const { phone, name, email, phoneVerified } = input.customer;
  const verified = phoneVerified ?? input.origin !== 'voice'; // API/admin bookings come from the salon itself
  const customer = phone ? (verified ? store.customers.upsert : store.customers.ensure).call(store.customers, input.companyId, phone, name, email) : undefined;
  const rows = store.appointments.transaction(() =>
    plan.map((p, i) => {
      const row = earlier[i];
      if (row) {
        if (row.status !== 'pending') store.appointments.setStatus(row.id, 'pending');
        return row;
      }
      return store.appointments.insert({
          companyId: input.companyId,
          serviceId: input.serviceId,
          calendarKey: entry.calendarKey,
          eventTypeId: p.eventTypeId,
          startUtc: p.startUtc,
          endUtc: p.endUtc,
          status: 'pending',
          origin: input.origin,
          // An API/admin appointment is not in sync until Cal.com has it (the sync job watches this).
          syncStatus: input.origin === 'voice' ? 'synced' : 'pending',
          commandId: p.commandId,
          callId: input.callId ?? null,
          groupId: ctx.commandId,
          segmentIndex: p.index,
          customerId: customer?.id ?? null,
          customerName: input.customer.name,
          customerPhone: input.customer.phone ?? null,
          customerEmail: input.customer.email,
        });
    }),
  );

  // 5. Create the missing bookings one after another; a failure undoes the earlier ones.
  try {
    for (const p of plan) {
      if (bookings[p.index]) continue;
      bookings[p.index] = await create(deps, ctx, input, p);
    }
  } catch (error) {
    const reply = error instanceof BookingFailed ? error.reply : failure('calcom_error', (error as Error).message);
    const uncertain = reply.status === 'error' && reply.code === 'booking_outcome_unknown';
    await compensate(deps, ctx, bookings.filter(isDefined), `booking step failed: ${reply.status}`);
    for (const row of rows) {
      // An unknown outcome stays pending: a webhook or the sweeper settles it.
      if (!(uncertain && !bookings[row.segmentIndex])) store.appointments.setStatus(row.id, 'failed');
    }
    if (reply.status === 'slot_unavailable') deps.invalidateAvailability(entry.company.id, entry.calendarKey, plan[0]!.startUtc, zone);
    return reply;
  }

  // 6. Save; if that fails, the Cal.com bookings must not outlive it (saga).
  try {
    store.appointments.transaction(() =>
      rows.forEach((row, i) => {
        store.appointments.markBooked(row.id, bookings[i]!.uid);
        if (isAwaitingConfirmation(bookings[i]!)) store.appointments.setAwaitingConfirmation(row.id, true);
      }),
    );
  } catch (error) {
    ctx.log.error({ err: error }, 'saving the appointment failed: cancelling in Cal.com');
    await compensate(deps, ctx, bookings.filter(isDefined), 'local save failed');
    for (const row of rows) tryTo(() => store.appointments.setStatus(row.id, 'failed'));
    return failure('save_failed', 'the appointment could not be saved; nothing was booked');
  }

  deps.invalidateAvailability(entry.company.id, entry.calendarKey, plan[0]!.startUtc, zone);
  if (input.callId) store.calls.markHasAppointment(input.callId);
  ctx.log.info({ appointmentId: rows[0]!.id, uids: bookings.map((b) => b!.uid) }, 'booked');
  return bookedReply(rows.map((row, i) => ({ ...row, calcomUid: bookings[i]!.uid, awaitingConfirmation: isAwaitingConfirmation(bookings[i]!) ? 1 : 0 })), input.serviceId);
}

/** Cal.com answers "pending" for event types that require the business's confirmation. */
const isAwaitingConfirmation = (booking: CalcomBooking) => booking.status.toLowerCase() === 'pending';

function bookedReply(rows: Appointment[], serviceId: string): BookReply {
  return {
    status: 'booked',
    appointment: {
      appointmentId: rows[0]!.id,
      serviceId,
      start: iso(rows[0]!.startUtc),
      end: iso(rows.at(-1)!.endUtc),
      calcomUids: rows.map((row) => row.calcomUid!),
      ...(rows.some((row) => row.awaitingConfirmation) && { awaitingConfirmation: true }),
    },
  };
}

/** Minutes Cal.com keeps free before and after a booking of this event type, in ms (0 when unknown). */
function buffersOf(deps: SlotActorDeps, eventTypeId: number): { before: number; after: number } {
  const eventType = deps.eventTypes?.get(eventTypeId);
  return { before: (eventType?.beforeBufferMinutes ?? 0) * 60_000, after: (eventType?.afterBufferMinutes ?? 0) * 60_000 };
}

/** Longest buffer looked for around a segment (Cal.com's buffers are minutes to a few hours). */
const MAX_BUFFER_MS = 4 * 3_600_000;

/** Live appointments whose time plus buffers meets the segment's time plus buffers. */
function conflictsOf(deps: SlotActorDeps, companyId: string, calendarKey: string, segment: Pick<PlannedSegment, 'eventTypeId' | 'startUtc' | 'endUtc'>): Appointment[] {
  const own = buffersOf(deps, segment.eventTypeId);
  const [from, to] = [segment.startUtc - own.before, segment.endUtc + own.after];
  return deps.store.appointments.overlapping(companyId, calendarKey, from - MAX_BUFFER_MS, to + MAX_BUFFER_MS).filter((a) => {
    const theirs = buffersOf(deps, a.eventTypeId);
    return a.startUtc - theirs.before < to && a.endUtc + theirs.after > from;
  });
}

/** A booked appointment this same call made for the same service at the same start. */
function isSameBookingOfCall(row: Appointment, input: z.output<typeof bookInputSchema>, startUtc: number): boolean {
  return !!input.callId && row.callId === input.callId && row.status === 'booked' && row.serviceId === input.serviceId && row.startUtc === startUtc && row.segmentIndex === 0;
}

/** Creates one segment's booking and checks that the answer really is ours and as asked. */
async function create(deps: SlotActorDeps, ctx: ActorContext, input: z.output<typeof bookInputSchema>, p: PlannedSegment): Promise<CalcomBooking> {
  // The event type's booking questions, answered from what the booking knows (src/calcom/event-types.ts).
  const eventType = deps.eventTypes?.get(p.eventTypeId);
  const fields = eventType
    ? buildBookingFields(eventType, { name: input.customer.name, email: input.customer.email, phone: input.customer.phone, callId: input.callId })
    : undefined;
  if (fields && !fields.ok) {
    ctx.log.warn({ eventTypeId: p.eventTypeId, field: fields.field, detail: fields.detail }, 'booking question cannot be answered: not sent to Cal.com');
    throw new BookingFailed(rejected(fields.code, fields.message));
  }
  let outcome;
  try {
    outcome = await deps.calcom.createBookingReconciled(
      {
        start: iso(p.startUtc),
        eventTypeId: p.eventTypeId,
        attendee: {
          name: input.customer.name,
          email: input.customer.email,
          timeZone: deps.catalog.company(input.companyId)!.timeZone,
          // Cal.com accepts only its BookingLanguage values ("de-DE" → "de").
          language: toBookingLanguage(input.language) ?? 'de',
          ...(input.customer.phone && { phoneNumber: input.customer.phone }),
        },
        metadata: { commandId: p.commandId, ...(input.callId && { callId: input.callId }), companyId: input.companyId, origin: input.origin },
        ...(fields?.ok && Object.keys(fields.bookingFieldsResponses).length > 0 && { bookingFieldsResponses: fields.bookingFieldsResponses }),
        ...(fields?.ok && fields.location && { location: fields.location }),
      },
      { durationMinutes: p.durationMinutes, ...(deps.reconcileDelaysMs && { lookupDelaysMs: deps.reconcileDelaysMs }) },
    );
  } catch (error) {
    if (isSlotTaken(error)) throw new BookingFailed(slotUnavailable('calcom_taken'));
    if (isUnknownOutcome(error)) throw new BookingFailed(failure('booking_outcome_unknown', 'Cal.com did not say whether the booking was made'));
    // Rate limited (429 or held back by the pacer): Cal.com did nothing; transient, the same id may try again.
    if (isRateLimited(error)) throw new BookingFailed(failure('calcom_busy', (error as Error).message));
    // Refused before sending (e.g. a phone number Cal.com would not accept): the reason and a German sentence.
    if (isCalcomError(error) && error.kind === 'invalid_request' && error.reason) {
      throw new BookingFailed(rejected(error.reason, error.callerMessage ?? error.message));
    }
    if (isCalcomError(error) && error.status && error.status >= 400 && error.status < 500) {
      throw new BookingFailed(rejected('calcom_refused', error.message));
    }
    throw new BookingFailed(failure('calcom_error', (error as Error).message));
  }
  if (outcome.outcome === 'not_booked') throw new BookingFailed(failure('calcom_error', 'the booking request was lost; nothing was booked'));
  const booking = outcome.booking;

  const problem = validateAnswer(deps, booking, p);
  if (problem) {
    ctx.log.error({ uid: booking.uid, problem }, 'Cal.com answered with a booking that is not the one asked for');
    await compensate(deps, ctx, [booking], problem);
    throw new BookingFailed(rejected('calcom_mismatch', problem));
  }
  return booking;
}

/** Why a created booking cannot be accepted as ours, or undefined if it can. */
function validateAnswer(deps: SlotActorDeps, booking: CalcomBooking, p: PlannedSegment): string | undefined {
  if (Date.parse(booking.start) !== p.startUtc) return `booked start ${booking.start} is not the requested ${iso(p.startUtc)}`;
  if (booking.metadata.commandId !== p.commandId) return `booking ${booking.uid} carries command ${booking.metadata.commandId ?? '(none)'}`;
  if (!isLiveBooking(booking)) return `booking ${booking.uid} is ${booking.status}`;
  const holder = deps.store.appointments.byCalcomUid(booking.uid);
  if (holder && holder.commandId !== p.commandId) return `booking ${booking.uid} already belongs to appointment ${holder.id}`;
  return undefined;
}

/** A redelivered command's booking: by the uid it saved, else by its command id in metadata. */
async function findOwnBooking(deps: SlotActorDeps, p: PlannedSegment, row: Appointment | undefined): Promise<CalcomBooking | undefined> {
  if (!row) return undefined;
  const booking = row.calcomUid
    ? await deps.calcom.getBooking(row.calcomUid)
    : await deps.calcom.findBookingByMetadata({ eventTypeId: p.eventTypeId, start: iso(p.startUtc), durationMinutes: p.durationMinutes, value: p.commandId });
  return booking && isLiveBooking(booking) && Date.parse(booking.start) === p.startUtc ? booking : undefined;
}

/** Is the segment's start still offered by Cal.com? A fresh cached week answers without a call. */
export async function stillFree(
  deps: SlotActorDeps,
  entry: ServiceEntry,
  p: Pick<PlannedSegment, 'eventTypeId' | 'startUtc'>,
  reschedulingUid?: string,
): Promise<boolean> {
  const zone = entry.company.timeZone;
  const week = { companyId: entry.company.id, calendarKey: entry.calendarKey, eventTypeId: p.eventTypeId, zone, at: p.startUtc };
  // A fresh view (younger than freshViewMs, dropped by every webhook and booking) answers both ways.
  const fresh = reschedulingUid ? undefined : deps.availability.freshView(week, deps.freshViewMs);
  if (fresh) return fresh.starts.includes(p.startUtc);
  const day = DateTime.fromMillis(p.startUtc, { zone });
  const slots = await deps.calcom.getSlots({
    eventTypeId: p.eventTypeId,
    start: day.startOf('day').toUTC().toISO()!,
    end: day.endOf('day').toUTC().toISO()!,
    timeZone: zone,
    ...(reschedulingUid && { bookingUidToReschedule: reschedulingUid }),
  });
  return Object.values(slots).some((list) => list.some((slot) => Date.parse(slot.start) === p.startUtc));
}

/** Saga compensation: cancel bookings we must not keep; what cannot be cancelled becomes an orphan. */
export async function compensate(
  deps: SlotActorDeps,
  ctx: ActorContext,
  bookings: Array<Pick<CalcomBooking, 'uid' | 'metadata'>>,
  reason: string,
): Promise<void> {
  await Promise.all(
    bookings.map(async (booking) => {
      try {
        await deps.calcom.cancelBooking(booking.uid, { cancellationReason: `Automatisch storniert: ${reason}` });
        deps.observeCompensation?.('cancelled');
        ctx.log.warn({ uid: booking.uid, reason }, 'compensated: Cal.com booking cancelled');
      } catch (error) {
        tryTo(() => deps.store.orphans.record(booking.uid, booking.metadata.companyId ?? null, ctx.commandId, reason, (error as Error).message));
        deps.observeCompensation?.('orphaned');
        ctx.log.error({ uid: booking.uid, reason, err: error }, 'compensation failed: booking recorded as orphan for the sweeper');
      }
    }),
  );
}

export function tryTo(fn: () => void): void {
  try {
    fn();
  } catch {
    // Best effort: the sweeper reconciles whatever this leaves behind.
  }
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/**
 * An error no step handled (Cal.com down during the double-check, SQLite refusing the intent):
 * answered as a transient `error`, so the command id is released and a retry runs again
 * instead of repeating this failure for the whole retention window.
 */
export function unexpected(ctx: ActorContext, error: unknown): BookReply {
  ctx.log.error({ err: error }, 'command failed unexpectedly');
  return failure(isCalcomError(error) ? 'calcom_error' : 'internal_error', (error as Error)?.message ?? String(error));
}

export const slotUnavailable = (reason: 'local_conflict' | 'calcom_unavailable' | 'calcom_taken'): BookReply => ({
  status: 'slot_unavailable',
  code: 'slot_no_longer_available',
  reason,
});
export const rejected = (code: string, message: string): BookReply => ({ status: 'rejected', code, message });
export const failure = (code: string, message: string): BookReply => ({ status: 'error', code, message });
