import { z } from 'zod';
import { cancelRefusal, isNotFound } from '../calcom/index.ts';
import type { ActorContext } from '../runtime/actor.ts';
import { isLiveAppointment, type Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
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
export function appointmentRows(deps: SlotActorDeps, companyId: string, appointmentId: number): Appointment[] | undefined {
  const first = deps.store.appointments.byId(appointmentId);
  if (!first || first.companyId !== companyId) return undefined;
  return first.groupId ? deps.store.appointments.byGroup(first.groupId) : [first];
}

/** Cancels an appointment in Cal.com and locally; repeating it is harmless. */
export async function cancel(deps: SlotActorDeps, ctx: ActorContext, raw: unknown): Promise<CancelReply> {
  const input = cancelInputSchema.parse(raw);
  const rows = appointmentRows(deps, input.companyId, input.appointmentId);
  const reply = await run(deps, ctx, input, rows).catch((error): CancelReply => {
    ctx.log.error({ err: error }, 'cancel failed unexpectedly');
    return { status: 'error', code: 'internal_error', message: (error as Error)?.message ?? String(error) }; // released below: a retry runs again
  });
  if (reply.status === 'error') ctx.releaseId();
  deps.observeOutcome?.('cancel', reply.status === 'cancelled' ? 'success' : reply.status === 'rejected' ? 'rejected' : 'error');
  return reply;
}

async function run(deps: SlotActorDeps, ctx: ActorContext, input: z.output<typeof cancelInputSchema>, rows: Appointment[] | undefined): Promise<CancelReply> {
  if (!rows) return { status: 'rejected', code: 'appointment_not_found', message: `no appointment ${input.appointmentId} for ${input.companyId}` };
  const zone = deps.catalog.company(input.companyId)!.timeZone;
  const head = rows[0]!;
  if (slotKeyAt(head.companyId, head.calendarKey, head.startUtc, zone) !== ctx.key) {
    return { status: 'rejected', code: 'wrong_actor', message: `appointment ${head.id} does not belong to ${ctx.key}` };
  }
  const live = rows.filter(isLiveAppointment);
  if (live.length === 0) return { status: 'rejected', code: 'already_cancelled', message: `appointment ${input.appointmentId} is already cancelled` };
  if (heldByOther(head, input.holder, deps.now())) {
    return { status: 'rejected', code: 'being_changed', message: `appointment ${head.id} is being moved by ${head.heldBy}` };
  }

  try {
    await Promise.all(
      live.map(async (row) => {
        if (!row.calcomUid) return;
        await deps.calcom.cancelBooking(row.calcomUid, { cancellationReason: input.reason ?? 'Vom Kunden telefonisch storniert' }).catch((error) => {
          if (!isNotFound(error)) throw error; // gone in Cal.com already: cancelled enough
        });
      }),
    );
  } catch (error) {
    // Cal.com refusing for a reason of the booking (cancelling disabled, already over) is an answer, not an outage.
    const refusal = cancelRefusal(error);
    if (refusal) return { status: 'rejected', code: refusal, message: (error as Error).message };
    ctx.log.error({ err: error }, 'cancelling in Cal.com failed');
    return { status: 'error', code: 'calcom_error', message: (error as Error).message };
  }
  const { appointments } = deps.store;
  appointments.transaction(() =>
    live.forEach((row) => (input.replacedBy ? appointments.markReplaced(row.id, input.replacedBy) : appointments.setStatus(row.id, 'cancelled'))),
  );
  deps.invalidateAvailability(head.companyId, head.calendarKey, head.startUtc, zone);
  ctx.log.info({ appointmentId: head.id }, 'cancelled');
  return { status: 'cancelled', appointmentId: head.id, calcomUids: live.map((row) => row.calcomUid).filter((uid): uid is string => !!uid) };
}
