import { z } from 'zod';
import { isCalcomError, isSlotTaken, isUnknownOutcome } from '../calcom/index.ts';
import type { ActorContext } from '../runtime/actor.ts';
import type { SlotActorDeps } from './deps.ts';
import type { BookReply } from './replies.ts';
import { failure, rejected, slotUnavailable, stillFree, tryTo, unexpected } from './book.ts';
import { appointmentRows } from './cancel.ts';
import { heldByOther } from './hold.ts';
import { slotKeyAt } from './slot-key.ts';

export const rescheduleInputSchema = z.object({
  companyId: z.string().min(1),
  appointmentId: z.number().int().positive(),
  /** New start, UTC instant. */
  start: z.iso.datetime({ offset: true }),
  callId: z.string().max(200).optional(),
});
export type RescheduleInput = z.input<typeof rescheduleInputSchema>;

export const rescheduleOutInputSchema = z.object({
  companyId: z.string().min(1),
  appointmentId: z.number().int().positive(),
  replacedBy: z.number().int().positive(),
});

/**
 * Moves a single-booking appointment, in the actor of the NEW day, with Cal.com's own
 * reschedule (it books the new time and cancels the old one in one step, and lets the new
 * time overlap the old). The old day's actor is then told to retire the old row; on the
 * same day that happens inline. Composite services are moved as book-new-then-cancel-old
 * by the booking service instead.
 */
export async function rescheduleIn(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<BookReply> {
  const input = rescheduleInputSchema.parse(raw);
  const finished = deps.store.commandResults.get<BookReply>(ctx.commandId);
  if (finished) return finished;
  const reply = await run(deps, ctx, input).catch((error) => unexpected(ctx, error));
  if (reply.status === 'error') ctx.releaseId();
  else deps.store.commandResults.put(ctx.commandId, 'reschedule', ctx.key, reply);
  deps.observeOutcome?.('reschedule', reply.status === 'booked' ? 'success' : reply.status);
  return reply;
}

async function run(deps: SlotActorDeps, ctx: ActorContext, input: z.output<typeof rescheduleInputSchema>): Promise<BookReply> {
  const { store } = deps;
  const rows = appointmentRows(deps, input.companyId, input.appointmentId);
  const old = rows?.[0];
  if (!rows || !old) return rejected('appointment_not_found', `no appointment ${input.appointmentId} for ${input.companyId}`);
  if (rows.length > 1) return rejected('composite_service', 'composite appointments are moved by booking anew and cancelling');
  if (old.status !== 'booked' || !old.calcomUid) return rejected('not_reschedulable', `appointment ${old.id} is ${old.status}`);
  if (heldByOther(old, ctx.commandId, deps.now())) return rejected('being_changed', `appointment ${old.id} is being changed by ${old.heldBy}`);
  const entry = deps.catalog.service(input.companyId, old.serviceId);
  if (!entry) return rejected('unknown_service', `service ${old.serviceId} is no longer offered`);
  const zone = entry.company.timeZone;
  const startUtc = Date.parse(input.start);
  const endUtc = startUtc + (old.endUtc - old.startUtc);
  if (slotKeyAt(input.companyId, entry.calendarKey, startUtc, zone) !== ctx.key) return rejected('wrong_actor', `${input.start} does not belong to ${ctx.key}`);
  if (startUtc <= deps.now()) return rejected('start_in_past', 'the requested start has passed');

  const intent = store.appointments.byCommandId(ctx.commandId);
  const conflict = store.appointments
    .overlapping(input.companyId, entry.calendarKey, startUtc, endUtc)
    .find((a) => a.id !== old.id && a.id !== intent?.id);
  if (conflict) return slotUnavailable('local_conflict');
  if (!intent && !(await stillFree(deps, entry, { eventTypeId: old.eventTypeId, startUtc }, old.calcomUid))) {
    deps.invalidateAvailability(input.companyId, entry.calendarKey, startUtc, zone);
    return slotUnavailable('calcom_unavailable');
  }

  const row =
    intent ??
    store.appointments.insert({
      companyId: old.companyId,
      serviceId: old.serviceId,
      calendarKey: old.calendarKey,
      eventTypeId: old.eventTypeId,
      startUtc,
      endUtc,
      status: 'pending',
      origin: old.origin === 'calcom' ? 'voice' : old.origin,
      commandId: ctx.commandId,
      callId: input.callId ?? null,
      groupId: ctx.commandId,
      customerId: old.customerId,
      customerName: old.customerName,
      customerPhone: old.customerPhone,
      customerEmail: old.customerEmail,
    });

  let booking;
  try {
    const outcome = await deps.calcom.rescheduleBookingReconciled(
      old.calcomUid,
      { start: new Date(startUtc).toISOString(), reschedulingReason: 'Vom Kunden telefonisch verschoben' },
      { durationMinutes: (endUtc - startUtc) / 60_000, ...(deps.reconcileDelaysMs && { lookupDelaysMs: deps.reconcileDelaysMs }) },
    );
    if (outcome.outcome === 'not_rescheduled') {
      store.appointments.setStatus(row.id, 'failed');
      return failure('calcom_error', 'the reschedule request was lost; the appointment is unchanged');
    }
    booking = outcome.booking;
  } catch (error) {
    if (isUnknownOutcome(error)) return failure('booking_outcome_unknown', 'Cal.com did not say whether the appointment was moved');
    store.appointments.setStatus(row.id, 'failed');
    if (isSlotTaken(error)) return slotUnavailable('calcom_taken');
    // Cal.com refusing to move the booking (e.g. a cancel of it got there first) is an answer, not an outage.
    if (isCalcomError(error) && error.status && error.status >= 400 && error.status < 500) {
      return rejected('not_reschedulable', `Cal.com refused to move booking ${old.calcomUid}: ${error.message}`);
    }
    return failure('calcom_error', (error as Error).message);
  }
  if (Date.parse(booking.start) !== startUtc) {
    ctx.log.error({ uid: booking.uid, start: booking.start }, 'Cal.com moved the booking to another time');
    return failure('calcom_mismatch', `Cal.com moved the booking to ${booking.start}`);
  }

  const oldKey = slotKeyAt(old.companyId, old.calendarKey, old.startUtc, zone);
  try {
    store.appointments.transaction(() => {
      store.appointments.markBooked(row.id, booking.uid);
      if (oldKey === ctx.key) store.appointments.markReplaced(old.id, row.id);
    });
  } catch (error) {
    ctx.log.error({ err: error, uid: booking.uid }, 'saving the moved appointment failed; the sweeper reconciles it from Cal.com');
    tryTo(() => store.orphans.record(booking.uid, old.companyId, ctx.commandId, 'reschedule save failed', (error as Error).message));
    return failure('save_failed', 'the moved appointment could not be saved');
  }
  if (oldKey !== ctx.key) {
    await deps.tell(oldKey, { id: `${ctx.commandId}:out`, type: 'rescheduleOut', payload: { companyId: old.companyId, appointmentId: old.id, replacedBy: row.id } });
  }
  deps.invalidateAvailability(old.companyId, old.calendarKey, old.startUtc, zone);
  deps.invalidateAvailability(old.companyId, entry.calendarKey, startUtc, zone);
  if (input.callId) store.calls.markHasAppointment(input.callId);
  return {
    status: 'booked',
    appointment: { appointmentId: row.id, serviceId: old.serviceId, start: new Date(startUtc).toISOString(), end: new Date(endUtc).toISOString(), calcomUids: [booking.uid] },
  };
}

/** The old day's half of a reschedule: the old row is retired (Cal.com already cancelled it). */
export async function rescheduleOut(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<{ status: 'retired' | 'unchanged' }> {
  const input = rescheduleOutInputSchema.parse(raw);
  const old = deps.store.appointments.byId(input.appointmentId);
  if (!old || old.companyId !== input.companyId || (old.status === 'cancelled' && old.replacedBy === input.replacedBy)) return { status: 'unchanged' };
  deps.store.appointments.markReplaced(old.id, input.replacedBy);
  ctx.log.info({ appointmentId: old.id, replacedBy: input.replacedBy }, 'old appointment retired after reschedule');
  return { status: 'retired' };
}
