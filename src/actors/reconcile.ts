import { z } from 'zod';
import { isLiveBooking, isNotFound, type CalcomBooking } from '../calcom/index.ts';
import { isLiveAppointment } from '../store/index.ts';
import type { ActorContext } from '../runtime/actor.ts';
import type { SlotActorDeps } from './deps.ts';
import type { ReconcileReply } from './replies.ts';
import { compensate } from './book.ts';

/** A Cal.com booking event, reduced to what reconciling needs. */
export const reconcileInputSchema = z.object({
  /** `requested`: made, but the business must still confirm it (BOOKING_REQUESTED). */
  event: z.enum(['created', 'requested', 'cancelled']),
  uid: z.string().min(1),
  eventTypeId: z.number().int().positive(),
  startUtc: z.number().int(),
  endUtc: z.number().int(),
  metadata: z.record(z.string(), z.string()).default({}),
  attendee: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }).default({}),
});
export type ReconcileInput = z.input<typeof reconcileInputSchema>;

/**
 * Brings the local appointment in line with what Cal.com says happened. Our own bookings
 * carry their command id (the origin marker), so their webhooks settle a pending intent
 * or change nothing; bookings made outside the runtime become appointments of origin
 * `calcom`, so the local overlap check knows about them.
 */
export async function reconcile(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<ReconcileReply> {
  const input = reconcileInputSchema.parse(raw);
  const { appointments } = deps.store;
  // Cal.com's calendar changed: no cached view of it may count as fresh any more.
  const entry = deps.catalog.serviceByEventType(input.eventTypeId);
  if (entry) deps.invalidateAvailability(entry.company.id, entry.calendarKey, input.startUtc, entry.company.timeZone);
  const known = appointments.byCalcomUid(input.uid);

  if (input.event === 'cancelled') {
    if (known && isLiveAppointment(known)) {
      // Cal.com's own word decides: a cancel event for a booking Cal.com still holds is not applied.
      const booking = await deps.calcom.getBooking(input.uid).catch(() => undefined);
      if (booking && isLiveBooking(booking)) {
        ctx.log.warn({ uid: input.uid }, 'cancel webhook for a booking Cal.com still holds: not applied');
        return done(deps, 'refused_still_live_in_calcom');
      }
      appointments.setStatus(known.id, 'cancelled');
      return done(deps, 'marked_cancelled');
    }
    return done(deps, 'unchanged');
  }

  const requested = input.event === 'requested';
  if (known) {
    // BOOKING_CREATED after BOOKING_REQUESTED is the business confirming it.
    if (known.awaitingConfirmation && !requested) {
      appointments.setAwaitingConfirmation(known.id, false);
      return done(deps, 'confirmed');
    }
    return done(deps, 'unchanged');
  }
  const ownCommand = input.metadata.commandId;
  if (ownCommand) {
    const intent = appointments.byCommandId(ownCommand);
    if (intent?.status === 'pending' && intent.startUtc === input.startUtc) {
      appointments.markBooked(intent.id, input.uid);
      if (requested) appointments.setAwaitingConfirmation(intent.id, true);
      if (intent.callId) deps.store.calls.markHasAppointment(intent.callId);
      return done(deps, 'settled_pending_intent');
    }
    if (intent && intent.status !== 'booked') {
      // Our command gave up on this booking (failed or cancelled): it must not stay in Cal.com.
      await compensate(deps, ctx, [{ uid: input.uid, metadata: input.metadata }], 'booking of an abandoned command');
      return done(deps, 'cancelled_abandoned_booking');
    }
    if (intent) return done(deps, 'unchanged');
  }

  if (!entry) return done(deps, 'ignored_unknown_event_type');
  // A booking we never made is recorded only as Cal.com itself describes it.
  const booking = await deps.calcom.getBooking(input.uid).catch(() => undefined);
  if (!booking || !isLiveBooking(booking) || booking.eventTypeId !== input.eventTypeId || Date.parse(booking.start) !== input.startUtc) {
    ctx.log.warn({ uid: input.uid, found: !!booking }, 'created webhook does not match Cal.com: not recorded');
    return done(deps, 'refused_not_in_calcom');
  }
  const row = appointments.insert({
    companyId: entry.company.id,
    serviceId: entry.service.id,
    calendarKey: entry.calendarKey,
    eventTypeId: input.eventTypeId,
    startUtc: input.startUtc,
    endUtc: input.endUtc,
    status: 'booked',
    origin: 'calcom',
    calcomUid: input.uid,
    customerName: input.attendee.name ?? null,
    customerEmail: input.attendee.email ?? null,
    customerPhone: input.attendee.phone ?? null,
  });
  if (requested || booking.status.toLowerCase() === 'pending') appointments.setAwaitingConfirmation(row.id, true);
  return done(deps, 'recorded_external_booking');
}

function done(deps: SlotActorDeps, action: string): ReconcileReply {
  deps.observeOutcome?.('reconcile', 'success');
  return { status: 'reconciled', action };
}

export const settleInputSchema = z.object({ appointmentId: z.number().int().positive() });

/**
 * Settles an intent left pending by a command that died mid-flight and was never
 * delivered again: Cal.com is asked whether the booking exists (by its uid or by our
 * command id in metadata) and the row becomes booked or failed accordingly.
 */
export async function settle(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<ReconcileReply> {
  const { appointmentId } = settleInputSchema.parse(raw);
  const row = deps.store.appointments.byId(appointmentId);
  if (!row || row.status !== 'pending') return done(deps, 'unchanged');
  let booking: CalcomBooking | undefined;
  try {
    booking = row.calcomUid
      ? await deps.calcom.getBooking(row.calcomUid).catch((error) => {
          if (isNotFound(error)) return undefined; // Cal.com has no such booking: it was not made
          throw error;
        })
      : row.commandId
        ? await deps.calcom.findBookingByMetadata({
            eventTypeId: row.eventTypeId,
            start: new Date(row.startUtc).toISOString(),
            durationMinutes: (row.endUtc - row.startUtc) / 60_000,
            value: row.commandId,
          })
        : undefined;
  } catch (error) {
    // Cal.com could not say: the intent stays pending, and the id is released so the next sweep asks again.
    ctx.releaseId();
    throw error;
  }
  const live = !!booking && isLiveBooking(booking) && Date.parse(booking.start) === row.startUtc;
  if (live && booking) {
    deps.store.appointments.markBooked(row.id, booking.uid);
    if (row.callId) deps.store.calls.markHasAppointment(row.callId);
  } else {
    deps.store.appointments.setStatus(row.id, 'failed');
  }
  ctx.log.info({ appointmentId, booked: !!live }, 'settled a pending intent');
  return done(deps, live ? 'settled_booked' : 'settled_failed');
}
