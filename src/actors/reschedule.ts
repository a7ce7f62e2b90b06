import { z } from 'zod';
import { isCalcomError, isSlotTaken, isUnknownOutcome } from '../calcom/index.ts';
import type { ServiceEntry } from '../catalog/index.ts';
import { handler, type ActorContext, type Deferred, type Settled } from '../runtime/actor.ts';
import type { Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import { failure, rejected, slotUnavailable, type BookReply } from './replies.ts';
import { iso, stillFree, tryTo } from './saga.ts';
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

type RescheduleRequest = z.output<typeof rescheduleInputSchema>;

/** Cal.com's reschedule of one booking, outside the mailbox. */
interface MoveEffect {
  uid: string;
  companyId: string;
  serviceId: string;
  eventTypeId: number;
  startUtc: number;
  endUtc: number;
  recovering: boolean;
}
type MoveEffectResult =
  | { kind: 'moved'; uid: string; start: string }
  | { kind: 'failed'; reply: BookReply; /** Cal.com did not say: the intent stays pending. */ uncertain: boolean; /** Nothing was asked of Cal.com's reschedule: the intent is withdrawn. */ untried?: boolean };

/**
 * Moves a single-booking appointment, in the actor of the NEW day, with Cal.com's own
 * reschedule (it books the new time and cancels the old one in one step, and lets the new
 * time overlap the old). The actor checks and records the new row as intent; Cal.com moves
 * the booking outside the mailbox; back inside, the new row is booked and the old one retired
 * (on the same day inline, else by telling the old day's actor). Composite services are moved
 * as book-new-then-cancel-old by `moveAppointment` below.
 */
export function rescheduleHandler(deps: SlotActorDeps) {
  return handler({
    input: rescheduleInputSchema,
    options: { outcome: 'reschedule', remember: true, timed: true } satisfies SlotHandlerOptions,
    run: async (ctx, request): Promise<BookReply | Deferred<MoveEffect>> => {
      const checked = await checkMove(deps, ctx, request);
      if ('status' in checked) return checked;
      const { old, entry, startUtc, endUtc } = checked;
      const intent = await deps.store.appointments.byCommandId(ctx.commandId);
      const conflict = (await deps.store.appointments.overlapping(request.companyId, entry.calendarKey, startUtc, endUtc)).find(
        (a) => a.id !== old.id && a.id !== intent?.id,
      );
      if (conflict) return slotUnavailable('local_conflict');
      if (!intent) {
        await deps.store.appointments.insert({
          companyId: old.companyId,
          serviceId: old.serviceId,
          calendarKey: old.calendarKey,
          eventTypeId: old.eventTypeId,
          startUtc,
          endUtc,
          status: 'pending',
          origin: old.origin === 'calcom' ? 'voice' : old.origin,
          commandId: ctx.commandId,
          callId: request.callId ?? null,
          groupId: ctx.commandId,
          customerId: old.customerId,
          customerName: old.customerName,
          customerPhone: old.customerPhone,
          customerEmail: old.customerEmail,
        });
      }
      return ctx.defer({ uid: old.calcomUid!, companyId: old.companyId, serviceId: old.serviceId, eventTypeId: old.eventTypeId, startUtc, endUtc, recovering: !!intent });
    },
    effect: (ctx, effect: MoveEffect) => moveInCalcom(deps, { ...effect, recovering: effect.recovering || ctx.redelivered }),
    settle: (ctx, request, effect, result: Settled<MoveEffectResult>) => saveMove(deps, ctx, request, effect, result),
  });
}

/** The appointment to move and where to, or why it cannot be moved here. */
async function checkMove(
  deps: SlotActorDeps,
  ctx: ActorContext,
  input: RescheduleRequest,
): Promise<BookReply | { old: Appointment; entry: ServiceEntry; startUtc: number; endUtc: number }> {
  const rows = await appointmentRows(deps, input.companyId, input.appointmentId);
  const old = rows?.[0];
  if (!rows || !old) return rejected('appointment_not_found', `no appointment ${input.appointmentId} for ${input.companyId}`);
  if (rows.length > 1) return rejected('composite_service', 'composite appointments are moved by booking anew and cancelling');
  if (old.status !== 'booked' || !old.calcomUid) return rejected('not_reschedulable', `appointment ${old.id} is ${old.status}`);
  if (heldByOther(old, ctx.commandId, deps.now())) return rejected('being_changed', `appointment ${old.id} is being changed by ${old.heldBy}`);
  const entry = deps.catalog.service(input.companyId, old.serviceId);
  if (!entry) return rejected('unknown_service', `service ${old.serviceId} is no longer offered`);
  const startUtc = Date.parse(input.start);
  if (slotKeyAt(input.companyId, entry.calendarKey, startUtc, entry.company.timeZone) !== ctx.key) return rejected('wrong_actor', `${input.start} does not belong to ${ctx.key}`);
  if (startUtc <= deps.now()) return rejected('start_in_past', 'the requested start has passed');
  return { old, entry, startUtc, endUtc: startUtc + (old.endUtc - old.startUtc) };
}

async function moveInCalcom(deps: SlotActorDeps, effect: MoveEffect): Promise<MoveEffectResult> {
  const entry = deps.catalog.service(effect.companyId, effect.serviceId);
  if (!entry) return { kind: 'failed', reply: rejected('unknown_service', `service ${effect.serviceId} is no longer offered`), uncertain: false };
  let sent = false;
  try {
    if (!effect.recovering && !(await stillFree(deps, entry, { eventTypeId: effect.eventTypeId, startUtc: effect.startUtc }, effect.uid))) {
      return { kind: 'failed', reply: slotUnavailable('calcom_unavailable'), uncertain: false, untried: true };
    }
    sent = true;
    const outcome = await deps.calcom.rescheduleBookingReconciled(
      effect.uid,
      { start: iso(effect.startUtc), reschedulingReason: 'Vom Kunden telefonisch verschoben' },
      { durationMinutes: (effect.endUtc - effect.startUtc) / 60_000, ...(deps.reconcileDelaysMs && { lookupDelaysMs: deps.reconcileDelaysMs }) },
    );
    if (outcome.outcome === 'not_rescheduled') return { kind: 'failed', reply: failure('calcom_error', 'the reschedule request was lost; the appointment is unchanged'), uncertain: false };
    return { kind: 'moved', uid: outcome.booking.uid, start: outcome.booking.start };
  } catch (error) {
    if (isUnknownOutcome(error)) return { kind: 'failed', reply: failure('booking_outcome_unknown', 'Cal.com did not say whether the appointment was moved'), uncertain: true };
    if (isSlotTaken(error)) return { kind: 'failed', reply: slotUnavailable('calcom_taken'), uncertain: false };
    // Cal.com refusing to move the booking (e.g. a cancel of it got there first) is an answer, not an outage.
    if (isCalcomError(error) && error.status && error.status >= 400 && error.status < 500) {
      return { kind: 'failed', reply: rejected('not_reschedulable', `Cal.com refused to move booking ${effect.uid}: ${error.message}`), uncertain: false };
    }
    return { kind: 'failed', reply: failure('calcom_error', (error as Error)?.message ?? String(error)), uncertain: false, untried: !sent };
  }
}

async function saveMove(deps: SlotActorDeps, ctx: ActorContext, request: RescheduleRequest, effect: MoveEffect, result: Settled<MoveEffectResult>): Promise<BookReply> {
  const { store } = deps;
  const [row, old] = await Promise.all([store.appointments.byCommandId(ctx.commandId), store.appointments.byId(request.appointmentId)]);
  const entry = deps.catalog.service(effect.companyId, effect.serviceId);
  if (!row || !old || !entry) return failure('internal_error', 'the move lost its intent');
  const outcome = result.ok ? result.value : { kind: 'failed' as const, reply: failure('internal_error', result.error), uncertain: true };
  if (outcome.kind === 'failed') {
    if (outcome.untried) await store.appointments.withdraw(row.id);
    else if (!outcome.uncertain) await store.appointments.setStatus(row.id, 'failed');
    if (outcome.reply.status === 'slot_unavailable') deps.invalidateAvailability(effect.companyId, entry.calendarKey, effect.startUtc, entry.company.timeZone);
    return outcome.reply;
  }
  if (Date.parse(outcome.start) !== effect.startUtc) {
    ctx.log.error({ uid: outcome.uid, start: outcome.start }, 'Cal.com moved the booking to another time');
    return failure('calcom_mismatch', `Cal.com moved the booking to ${outcome.start}`);
  }
  const zone = entry.company.timeZone;
  const oldKey = slotKeyAt(old.companyId, old.calendarKey, old.startUtc, zone);
  try {
    await store.transaction(async (tx) => {
      await tx.appointments.markBooked(row.id, outcome.uid);
      if (oldKey === ctx.key) await tx.appointments.cancel([old.id], row.id);
    });
  } catch (error) {
    ctx.log.error({ err: error, uid: outcome.uid }, 'saving the moved appointment failed; the sweeper reconciles it from Cal.com');
    await tryTo(() => store.orphans.record(outcome.uid, old.companyId, ctx.commandId, 'reschedule save failed', (error as Error).message));
    return failure('save_failed', 'the moved appointment could not be saved');
  }
  if (oldKey !== ctx.key) {
    await deps.retire(oldKey, { companyId: old.companyId, appointmentId: old.id, replacedBy: row.id }, `${ctx.commandId}:out`);
  }
  deps.invalidateAvailability(old.companyId, old.calendarKey, old.startUtc, zone);
  deps.invalidateAvailability(old.companyId, entry.calendarKey, effect.startUtc, zone);
  if (request.callId) await store.calls.markHasAppointment(request.callId);
  return {
    status: 'booked',
    appointment: { appointmentId: row.id, serviceId: old.serviceId, start: iso(effect.startUtc), end: iso(effect.endUtc), calcomUids: [outcome.uid] },
  };
}

/** The old day's half of a reschedule: the old row is retired (Cal.com already cancelled it). */
export function rescheduleOutHandler(deps: SlotActorDeps) {
  return handler({
    input: rescheduleOutInputSchema,
    run: async (ctx, input): Promise<{ status: 'retired' | 'unchanged' }> => {
      const old = await deps.store.appointments.byId(input.appointmentId);
      if (!old || old.companyId !== input.companyId || (old.status === 'cancelled' && old.replacedBy === input.replacedBy)) return { status: 'unchanged' };
      await deps.store.appointments.cancel([old.id], input.replacedBy);
      ctx.log.info({ appointmentId: old.id, replacedBy: input.replacedBy }, 'old appointment retired after reschedule');
      return { status: 'retired' };
    },
  });
}
