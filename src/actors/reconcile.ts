import { z } from 'zod';
import { isLiveBooking } from '../calcom/index.ts';
import { isLiveAppointment } from '../store/index.ts';
import { handler, type ActorContext, type Deferred, type Settled } from '../runtime/actor.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import type { ReconcileReply } from './replies.ts';
import { compensate } from './saga.ts';

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

type ReconcileRequest = z.output<typeof reconcileInputSchema>;

/** What reconciling must ask Cal.com (outside the mailbox) before it may change anything. */
type ReconcileEffect = { kind: 'verify_cancel' | 'verify_new'; uid: string } | { kind: 'compensate'; uid: string; metadata: Record<string, string> };
type BookingSeen = { found: false } | { found: true; live: boolean; eventTypeId: number; startUtc: number; pending: boolean };

/**
 * Brings the local appointment in line with what Cal.com says happened. Our own bookings
 * carry their command id (the origin marker), so their webhooks settle a pending intent
 * or change nothing; bookings made outside the runtime become appointments of origin
 * `calcom`, so the local overlap check knows about them — but only as Cal.com itself
 * describes them (read outside the mailbox).
 */
export function reconcileHandler(deps: SlotActorDeps) {
  return handler({
    input: reconcileInputSchema,
    options: { outcome: 'reconcile' } satisfies SlotHandlerOptions,
    run: async (ctx, input): Promise<ReconcileReply | Deferred<ReconcileEffect>> => {
      const { appointments } = deps.store;
      // Cal.com's calendar changed: no cached view of it may count as fresh any more.
      const entry = deps.catalog.serviceByEventType(input.eventTypeId);
      if (entry) deps.invalidateAvailability(entry.company.id, entry.calendarKey, input.startUtc, entry.company.timeZone);
      const known = await appointments.byCalcomUid(input.uid);
      if (input.event === 'cancelled') {
        // Cal.com's own word decides: a cancel event is applied only for a booking Cal.com no longer holds.
        return known && isLiveAppointment(known) ? ctx.defer({ kind: 'verify_cancel', uid: input.uid }) : done('unchanged');
      }
      const requested = input.event === 'requested';
      if (known) {
        // BOOKING_CREATED after BOOKING_REQUESTED is the business confirming it.
        if (known.awaitingConfirmation && !requested) {
          await appointments.setAwaitingConfirmation(known.id, false);
          return done('confirmed');
        }
        return done('unchanged');
      }
      const ownCommand = input.metadata.commandId;
      const intent = ownCommand ? await appointments.byCommandId(ownCommand) : undefined;
      if (intent?.status === 'pending' && intent.startUtc === input.startUtc) {
        await appointments.markBooked(intent.id, input.uid);
        if (requested) await appointments.setAwaitingConfirmation(intent.id, true);
        if (intent.callId) await deps.store.calls.markHasAppointment(intent.callId);
        return done('settled_pending_intent');
      }
      // Our command gave up on this booking (failed or cancelled): it must not stay in Cal.com.
      if (intent && intent.status !== 'booked') return ctx.defer({ kind: 'compensate', uid: input.uid, metadata: input.metadata });
      if (intent) return done('unchanged');
      if (!entry) return done('ignored_unknown_event_type');
      return ctx.defer({ kind: 'verify_new', uid: input.uid });
    },
    effect: async (ctx, effect: ReconcileEffect): Promise<BookingSeen | null> => {
      if (effect.kind === 'compensate') {
        await compensate(deps, ctx, [{ uid: effect.uid, metadata: effect.metadata }], 'booking of an abandoned command');
        return null;
      }
      const booking = await deps.calcom.getBooking(effect.uid).catch(() => undefined);
      if (!booking) return { found: false };
      return { found: true, live: isLiveBooking(booking), eventTypeId: booking.eventTypeId ?? -1, startUtc: Date.parse(booking.start), pending: booking.status.toLowerCase() === 'pending' };
    },
    settle: async (ctx, input, effect, result: Settled<BookingSeen | null>) => {
      if (effect.kind === 'compensate') return done('cancelled_abandoned_booking');
      const seen: BookingSeen = (result.ok && result.value) || { found: false };
      return effect.kind === 'verify_cancel' ? applyCancel(deps, ctx, input, seen) : recordExternal(deps, ctx, input, seen);
    },
  });
}

async function applyCancel(deps: SlotActorDeps, ctx: ActorContext, input: ReconcileRequest, seen: BookingSeen): Promise<ReconcileReply> {
  if (seen.found && seen.live) {
    ctx.log.warn({ uid: input.uid }, 'cancel webhook for a booking Cal.com still holds: not applied');
    return done('refused_still_live_in_calcom');
  }
  const known = await deps.store.appointments.byCalcomUid(input.uid);
  if (!known || !isLiveAppointment(known)) return done('unchanged');
  await deps.store.appointments.setStatus(known.id, 'cancelled');
  return done('marked_cancelled');
}

/** A booking we never made is recorded only as Cal.com itself describes it. */
async function recordExternal(deps: SlotActorDeps, ctx: ActorContext, input: ReconcileRequest, seen: BookingSeen): Promise<ReconcileReply> {
  const { appointments } = deps.store;
  const entry = deps.catalog.serviceByEventType(input.eventTypeId);
  if (!entry) return done('ignored_unknown_event_type');
  if (await appointments.byCalcomUid(input.uid)) return done('unchanged'); // recorded meanwhile (a repeated webhook)
  if (!seen.found || !seen.live || seen.eventTypeId !== input.eventTypeId || seen.startUtc !== input.startUtc) {
    ctx.log.warn({ uid: input.uid, found: seen.found }, 'created webhook does not match Cal.com: not recorded');
    return done('refused_not_in_calcom');
  }
  const row = await appointments.insert({
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
  if (input.event === 'requested' || seen.pending) await appointments.setAwaitingConfirmation(row.id, true);
  return done('recorded_external_booking');
}

const done = (action: string): ReconcileReply => ({ status: 'reconciled', action });
