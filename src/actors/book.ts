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
import { handler, type ActorContext, type Deferred, type EffectContext, type Settled } from '../runtime/actor.ts';
import type { Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import { failure, rejected, slotUnavailable, type BookReply } from './replies.ts';
import { compensate, findOwnBooking, isDefined, iso, stillFree, tryTo, unexpected } from './saga.ts';
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

type BookRequest = z.output<typeof bookInputSchema>;

/** What the booking's Cal.com work needs: it runs outside the mailbox, on this data alone. */
type BookEffect =
  | { kind: 'create'; request: BookRequest; plan: PlannedSegment[]; recovering: boolean }
  | { kind: 'compensate'; uids: string[]; companyId: string; reply: BookReply };

type BookEffectResult =
  | { kind: 'created'; bookings: Array<{ uid: string; awaitingConfirmation: boolean }> }
  | {
      kind: 'failed';
      reply: BookReply;
      /** Cal.com did not say whether these segments were booked. */
      uncertain: number[];
      /** A create was sent: the intent stays as a failed row (else it is withdrawn without a trace). */
      attempted: boolean;
    }
  | { kind: 'compensated' };

class BookingFailed extends Error {
  constructor(readonly reply: BookReply) {
    super(reply.status);
  }
}

/**
 * The booking command, in DESIGN.md's steps. Inside the slot actor owning the calendar-day:
 * the request is checked, (1) the local overlap check runs and the intent is recorded — a
 * pending row, the hold overlapping commands see. Outside the mailbox, as the effect: (2) the
 * double-check against Cal.com, (3) the create with our command id in metadata, (4) the answer
 * validated. Back inside: (5) the appointment saved (a failed save is compensated in Cal.com;
 * a failed cancel becomes an orphan) and (6) caches dropped. A second delivery finds its intent
 * and reconciles instead of booking twice.
 */
export function bookHandler(deps: SlotActorDeps) {
  return handler({
    input: bookInputSchema,
    options: { outcome: 'book', remember: true, timed: true } satisfies SlotHandlerOptions,
    run: async (ctx, request): Promise<BookReply | Deferred<BookEffect>> => {
      const checked = checkRequest(deps, ctx, request);
      if ('reply' in checked) return checked.reply;
      const { entry, plan } = checked;
      const earlier = await Promise.all(plan.map((p) => deps.store.appointments.byCommandId(p.commandId)));
      const recovering = earlier.some(Boolean);
      if (recovering) ctx.log.warn('command delivered again: reconciling its earlier intent');
      const conflict = await findLocalConflict(deps, ctx, request, entry, plan, earlier);
      if (conflict) return conflict;
      await recordIntent(deps, ctx, request, entry, plan, earlier);
      return ctx.defer<BookEffect>({ kind: 'create', request, plan, recovering });
    },
    effect: async (ctx, effect): Promise<BookEffectResult> => {
      if (effect.kind === 'compensate') {
        await compensate(deps, ctx, effect.uids.map((uid) => ({ uid, metadata: { companyId: effect.companyId } })), 'local save failed');
        return { kind: 'compensated' };
      }
      return bookInCalcom(deps, ctx, effect.request, effect.plan, effect.recovering || ctx.redelivered);
    },
    settle: async (ctx, request, effect, result: Settled<BookEffectResult>) => {
      if (effect.kind === 'compensate') {
        for (const row of await deps.store.appointments.byGroup(ctx.commandId)) await tryTo(() => deps.store.appointments.setStatus(row.id, 'failed'));
        return effect.reply;
      }
      return saveAppointment(deps, ctx, request, effect.plan, result);
    },
  });
}

/** The request as this actor can serve it: a known service, this calendar-day, not past. */
function checkRequest(deps: SlotActorDeps, ctx: ActorContext, request: BookRequest): { reply: BookReply } | { entry: ServiceEntry; plan: PlannedSegment[] } {
  const entry = deps.catalog.service(request.companyId, request.serviceId);
  if (!entry) return { reply: rejected('unknown_service', `service ${request.serviceId} is not offered by ${request.companyId}`) };
  const startUtc = Date.parse(request.start);
  if (slotKeyAt(request.companyId, entry.calendarKey, startUtc, entry.company.timeZone) !== ctx.key) {
    return { reply: rejected('wrong_actor', `${request.start} of ${entry.calendarKey} does not belong to ${ctx.key}`) };
  }
  if (startUtc <= deps.now()) return { reply: rejected('start_in_past', 'the requested start has passed') };
  const plan = entry.segments.map((s) => ({
    index: s.index,
    eventTypeId: s.eventTypeId,
    startUtc: startUtc + s.offsetMinutes * 60_000,
    endUtc: startUtc + (s.offsetMinutes + s.durationMinutes) * 60_000,
    durationMinutes: s.durationMinutes,
    commandId: entry.segments.length === 1 ? ctx.commandId : `${ctx.commandId}#${s.index}`,
  }));
  return { entry, plan };
}

/**
 * Step 1: ranges, not equal start times, widened by the event type's buffers (Cal.com keeps
 * them free around every booking of that type). Pending rows count: they are other commands'
 * holds. The caller's own identical booking from earlier in this call is answered as booked.
 */
async function findLocalConflict(
  deps: SlotActorDeps,
  ctx: ActorContext,
  request: BookRequest,
  entry: ServiceEntry,
  plan: PlannedSegment[],
  earlier: Array<Appointment | undefined>,
): Promise<BookReply | undefined> {
  const ours = new Set([...earlier.filter(isDefined).map((a) => a.id), ...request.replacing]);
  for (const segment of plan) {
    const conflict = (await conflictsOf(deps, request.companyId, entry.calendarKey, segment)).find((a) => !ours.has(a.id));
    if (conflict && segment.index === 0 && isSameBookingOfCall(conflict, request, segment.startUtc)) {
      ctx.log.info({ appointmentId: conflict.id }, 'this call already holds exactly this booking');
      return bookedReply(conflict.groupId ? await deps.store.appointments.byGroup(conflict.groupId) : [conflict], request.serviceId);
    }
    if (conflict) {
      ctx.log.info({ conflictWith: conflict.id }, 'slot taken locally');
      return slotUnavailable('local_conflict');
    }
  }
  return undefined;
}

/** Intent before Cal.com is called: pending rows (the hold), and the customer. */
async function recordIntent(
  deps: SlotActorDeps,
  ctx: ActorContext,
  request: BookRequest,
  entry: ServiceEntry,
  plan: PlannedSegment[],
  earlier: Array<Appointment | undefined>,
): Promise<void> {
  const { phone, name, email, phoneVerified } = request.customer;
  const verified = phoneVerified ?? request.origin !== 'voice'; // API/admin bookings come from the salon itself
  await deps.store.transaction(async (tx) => {
    const customer = phone ? await (verified ? tx.customers.upsert(request.companyId, phone, name, email) : tx.customers.ensure(request.companyId, phone, name, email)) : undefined;
    for (const [i, p] of plan.entries()) {
      const row = earlier[i];
      if (row) {
        if (row.status !== 'pending') await tx.appointments.setStatus(row.id, 'pending');
        continue;
      }
      await tx.appointments.insert({
        companyId: request.companyId,
        serviceId: request.serviceId,
        calendarKey: entry.calendarKey,
        eventTypeId: p.eventTypeId,
        startUtc: p.startUtc,
        endUtc: p.endUtc,
        status: 'pending',
        origin: request.origin,
        // An API/admin appointment is not in sync until Cal.com has it (the sync job watches this).
        syncStatus: request.origin === 'voice' ? 'synced' : 'pending',
        commandId: p.commandId,
        callId: request.callId ?? null,
        groupId: ctx.commandId,
        segmentIndex: p.index,
        customerId: customer?.id ?? null,
        customerName: request.customer.name,
        customerPhone: request.customer.phone ?? null,
        customerEmail: request.customer.email,
      });
    }
  });
}

/**
 * Steps 2–4, outside the mailbox: a redelivered command first looks for the bookings its first
 * delivery made; the missing ones are double-checked and created one after another, and a
 * failure undoes the earlier ones.
 */
async function bookInCalcom(deps: SlotActorDeps, ctx: EffectContext, request: BookRequest, plan: PlannedSegment[], recovering: boolean): Promise<BookEffectResult> {
  const entry = deps.catalog.service(request.companyId, request.serviceId);
  if (!entry) return { kind: 'failed', reply: rejected('unknown_service', `service ${request.serviceId} is no longer offered`), uncertain: [], attempted: false };
  const bookings: Array<CalcomBooking | undefined> = recovering
    ? await Promise.all(
        plan.map(async (p) => {
          const row = await deps.store.appointments.byCommandId(p.commandId);
          return row ? findOwnBooking(deps, row) : undefined;
        }),
      ).catch(() => plan.map(() => undefined))
    : plan.map(() => undefined);
  let attempted = recovering;
  try {
    const missing = plan.filter((_, i) => !bookings[i]);
    const free = await Promise.all(missing.map((p) => stillFree(deps, entry, p)));
    if (free.includes(false)) throw new BookingFailed(slotUnavailable('calcom_unavailable'));
    for (const p of plan) {
      attempted = true;
      bookings[p.index] ??= await create(deps, ctx, request, p);
    }
  } catch (error) {
    const reply = error instanceof BookingFailed ? error.reply : isCalcomError(error) ? failure('calcom_error', error.message) : unexpected(ctx, error);
    await compensate(deps, ctx, bookings.filter(isDefined), `booking step failed: ${reply.status}`);
    const uncertain = reply.status === 'error' && reply.code === 'booking_outcome_unknown' ? plan.filter((p) => !bookings[p.index]).map((p) => p.index) : [];
    return { kind: 'failed', reply, uncertain, attempted };
  }
  return { kind: 'created', bookings: bookings.map((b) => ({ uid: b!.uid, awaitingConfirmation: isAwaitingConfirmation(b!) })) };
}

/** Steps 5–6, back in the mailbox: the intent becomes the appointment, or fails with the reason. */
async function saveAppointment(
  deps: SlotActorDeps,
  ctx: ActorContext,
  request: BookRequest,
  plan: PlannedSegment[],
  result: Settled<BookEffectResult>,
): Promise<BookReply | Deferred<BookEffect>> {
  const { store } = deps;
  const entry = deps.catalog.service(request.companyId, request.serviceId);
  const rows = await store.appointments.byGroup(ctx.commandId);
  const dropCaches = () => entry && deps.invalidateAvailability(entry.company.id, entry.calendarKey, plan[0]!.startUtc, entry.company.timeZone);
  const outcome = result.ok ? result.value : { kind: 'failed' as const, reply: failure('internal_error', result.error), uncertain: plan.map((p) => p.index), attempted: true };
  if (outcome.kind !== 'created') {
    const { uncertain, attempted } = outcome.kind === 'failed' ? outcome : { uncertain: [] as number[], attempted: true };
    // An unknown outcome stays pending: a webhook or the sweeper settles it. Nothing sent: the hold is withdrawn.
    await store.transaction(async (tx) => {
      for (const row of rows) {
        if (uncertain.includes(row.segmentIndex) || row.status !== 'pending') continue;
        if (attempted) await tx.appointments.setStatus(row.id, 'failed');
        else await tx.appointments.withdraw(row.id);
      }
    });
    const reply = outcome.kind === 'failed' ? outcome.reply : failure('internal_error', 'unexpected effect result');
    if (reply.status === 'slot_unavailable') dropCaches();
    return reply;
  }
  const { bookings } = outcome;
  try {
    await store.transaction(async (tx) => {
      for (const row of rows) {
        const booking = bookings[row.segmentIndex]!;
        await tx.appointments.markBooked(row.id, booking.uid);
        if (booking.awaitingConfirmation) await tx.appointments.setAwaitingConfirmation(row.id, true);
      }
    });
  } catch (error) {
    ctx.log.error({ err: error }, 'saving the appointment failed: cancelling in Cal.com');
    const reply = failure('save_failed', 'the appointment could not be saved; nothing was booked');
    return ctx.defer<BookEffect>({ kind: 'compensate', uids: bookings.map((b) => b.uid), companyId: request.companyId, reply });
  }
  dropCaches();
  if (request.callId) await store.calls.markHasAppointment(request.callId);
  ctx.log.info({ appointmentId: rows[0]!.id, uids: bookings.map((b) => b.uid) }, 'booked');
  return bookedReply(
    rows.map((row) => ({ ...row, calcomUid: bookings[row.segmentIndex]!.uid, awaitingConfirmation: bookings[row.segmentIndex]!.awaitingConfirmation ? 1 : 0 })),
    request.serviceId,
  );
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
async function conflictsOf(
  deps: SlotActorDeps,
  companyId: string,
  calendarKey: string,
  segment: Pick<PlannedSegment, 'eventTypeId' | 'startUtc' | 'endUtc'>,
): Promise<Appointment[]> {
  const own = buffersOf(deps, segment.eventTypeId);
  const [from, to] = [segment.startUtc - own.before, segment.endUtc + own.after];
  return (await deps.store.appointments.overlapping(companyId, calendarKey, from - MAX_BUFFER_MS, to + MAX_BUFFER_MS)).filter((a) => {
    const theirs = buffersOf(deps, a.eventTypeId);
    return a.startUtc - theirs.before < to && a.endUtc + theirs.after > from;
  });
}

/** A booked appointment this same call made for the same service at the same start. */
function isSameBookingOfCall(row: Appointment, input: BookRequest, startUtc: number): boolean {
  return !!input.callId && row.callId === input.callId && row.status === 'booked' && row.serviceId === input.serviceId && row.startUtc === startUtc && row.segmentIndex === 0;
}

/** Creates one segment's booking and checks that the answer really is ours and as asked. */
async function create(deps: SlotActorDeps, ctx: EffectContext, input: BookRequest, p: PlannedSegment): Promise<CalcomBooking> {
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

  const problem = await validateAnswer(deps, booking, p);
  if (problem) {
    ctx.log.error({ uid: booking.uid, problem }, 'Cal.com answered with a booking that is not the one asked for');
    await compensate(deps, ctx, [booking], problem);
    throw new BookingFailed(rejected('calcom_mismatch', problem));
  }
  return booking;
}

/** Why a created booking cannot be accepted as ours, or undefined if it can. */
async function validateAnswer(deps: SlotActorDeps, booking: CalcomBooking, p: PlannedSegment): Promise<string | undefined> {
  if (Date.parse(booking.start) !== p.startUtc) return `booked start ${booking.start} is not the requested ${iso(p.startUtc)}`;
  if (booking.metadata.commandId !== p.commandId) return `booking ${booking.uid} carries command ${booking.metadata.commandId ?? '(none)'}`;
  if (!isLiveBooking(booking)) return `booking ${booking.uid} is ${booking.status}`;
  const holder = await deps.store.appointments.byCalcomUid(booking.uid);
  if (holder && holder.commandId !== p.commandId) return `booking ${booking.uid} already belongs to appointment ${holder.id}`;
  return undefined;
}

