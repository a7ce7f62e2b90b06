import { z } from 'zod';
import { cancelRefusal, isNotFound } from '../calcom/index.ts';
import { handler, type ActorContext, type Deferred, type Settled } from '../runtime/actor.ts';
import { isLiveAppointment, type Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import type { CancelReply } from './replies.ts';
import { heldByOther } from './hold.ts';
import { slotKeyAt } from './slot-key.ts';

export const cancelInputSchema = z.object({
  companyId: z.string().min(1),
  appointmentId: z.number().int().positive(),
  reason: z.string().max(500).optional(),
  /** The command holding the appointment (a composite move cancelling its old half). */
  holder: z.string().min(1).optional(),
  /** The appointment that replaces this one (the caller's reference then follows it). */
  replacedBy: z.number().int().positive().optional(),
});
export type CancelInput = z.input<typeof cancelInputSchema>;

/** All live rows of the appointment (a composite service has one per segment). */
export async function appointmentRows(deps: SlotActorDeps, companyId: string, appointmentId: number): Promise<Appointment[] | undefined> {
  const first = await deps.store.appointments.byId(appointmentId);
  if (!first || first.companyId !== companyId) return undefined;
  return first.groupId ? deps.store.appointments.byGroup(first.groupId) : [first];
}

type CancelRequest = z.output<typeof cancelInputSchema>;

/** The Cal.com bookings to cancel (outside the mailbox), and why. */
interface CancelEffect {
  uids: string[];
  reason: string;
}
type CancelEffectResult = { kind: 'cancelled' } | { kind: 'refused'; code: CancelRefusal; message: string } | { kind: 'failed'; message: string };
type CancelRefusal = 'cancelling_disabled' | 'booking_ended';

/**
 * Cancels an appointment: the actor of its day checks it and holds it (a concurrent move or
 * cancel is then told it is being changed), Cal.com cancels outside the mailbox, and back in
 * it the rows are cancelled — or the hold is let go with Cal.com's reason. Repeating is harmless.
 */
export function cancelHandler(deps: SlotActorDeps) {
  return handler({
    input: cancelInputSchema,
    options: { outcome: 'cancel', timed: true } satisfies SlotHandlerOptions,
    run: async (ctx, request): Promise<CancelReply | Deferred<CancelEffect>> => {
      const checked = await checkCancel(deps, ctx, request);
      if ('status' in checked) return checked;
      const uids = checked.live.map((row) => row.calcomUid).filter((uid): uid is string => !!uid);
      if (uids.length === 0) return markCancelled(deps, ctx, request, checked.head, checked.live);
      // The hold: while Cal.com cancels, a concurrent change of this appointment is refused with the truth.
      const holder = request.holder ?? ctx.commandId;
      await deps.store.appointments.setHold(ids(checked.live), holder, deps.now() + HOLD_LEASE_MS);
      return ctx.defer({ uids, reason: request.reason ?? 'Vom Kunden telefonisch storniert' });
    },
    effect: async (ctx, effect: CancelEffect): Promise<CancelEffectResult> => {
      try {
        await Promise.all(
          effect.uids.map((uid) =>
            deps.calcom.cancelBooking(uid, { cancellationReason: effect.reason }).catch((error) => {
              if (!isNotFound(error)) throw error; // gone in Cal.com already: cancelled enough
            }),
          ),
        );
        return { kind: 'cancelled' };
      } catch (error) {
        // Cal.com refusing for a reason of the booking (cancelling disabled, already over) is an answer, not an outage.
        const refusal = cancelRefusal(error);
        if (refusal) return { kind: 'refused', code: refusal, message: (error as Error).message };
        ctx.log.error({ err: error }, 'cancelling in Cal.com failed');
        return { kind: 'failed', message: (error as Error)?.message ?? String(error) };
      }
    },
    settle: async (ctx, request, _effect, result: Settled<CancelEffectResult>): Promise<CancelReply> => {
      const rows = (await appointmentRows(deps, request.companyId, request.appointmentId)) ?? [];
      const live = rows.filter(isLiveAppointment);
      const outcome = result.ok ? result.value : { kind: 'failed' as const, message: result.error };
      if (outcome.kind === 'cancelled') return markCancelled(deps, ctx, request, rows[0]!, live);
      // Not cancelled: our own hold is let go (a move's hold stays with the move).
      if (!request.holder) {
        await deps.store.appointments.setHold(ids(live.filter((row) => row.heldBy === ctx.commandId)), null, null);
      }
      if (outcome.kind === 'refused') return { status: 'rejected', code: outcome.code, message: outcome.message };
      return { status: 'error', code: 'calcom_error', message: outcome.message };
    },
  });
}

export const ids = (rows: readonly Appointment[]) => rows.map((row) => row.id);

/** How long a cancel holds its appointment while Cal.com answers; a dead process's hold lapses. */
const HOLD_LEASE_MS = 120_000;

/** The live rows this actor may cancel, or why not. */
async function checkCancel(deps: SlotActorDeps, ctx: ActorContext, input: CancelRequest): Promise<CancelReply | { head: Appointment; live: Appointment[] }> {
  const rows = await appointmentRows(deps, input.companyId, input.appointmentId);
  if (!rows) return { status: 'rejected', code: 'appointment_not_found', message: `no appointment ${input.appointmentId} for ${input.companyId}` };
  const zone = deps.catalog.company(input.companyId)!.timeZone;
  const head = rows[0]!;
  if (slotKeyAt(head.companyId, head.calendarKey, head.startUtc, zone) !== ctx.key) {
    return { status: 'rejected', code: 'wrong_actor', message: `appointment ${head.id} does not belong to ${ctx.key}` };
  }
  const live = rows.filter(isLiveAppointment);
  if (live.length === 0) return { status: 'rejected', code: 'already_cancelled', message: `appointment ${input.appointmentId} is already cancelled` };
  // A redelivered cancel finds its own hold: that is not someone else's change.
  if (heldByOther(head, input.holder ?? ctx.commandId, deps.now())) {
    return { status: 'rejected', code: 'being_changed', message: `appointment ${head.id} is being moved by ${head.heldBy}` };
  }
  return { head, live };
}

async function markCancelled(deps: SlotActorDeps, ctx: ActorContext, input: CancelRequest, head: Appointment, live: Appointment[]): Promise<CancelReply> {
  await deps.store.appointments.cancel(ids(live), input.replacedBy ?? null);
  deps.invalidateAvailability(head.companyId, head.calendarKey, head.startUtc, deps.catalog.company(input.companyId)!.timeZone);
  ctx.log.info({ appointmentId: head.id }, 'cancelled');
  return { status: 'cancelled', appointmentId: head.id, calcomUids: live.map((row) => row.calcomUid).filter((uid): uid is string => !!uid) };
}
