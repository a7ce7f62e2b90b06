import { z } from 'zod';
import { handler, type Deferred, type Settled } from '../runtime/actor.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import type { SettleReply } from './replies.ts';
import { findOwnBooking } from './saga.ts';

export const settleInputSchema = z.object({ appointmentId: z.number().int().positive() });

/** What Cal.com says of the intent's booking: made (its uid), not made, or it could not say. */
type Found = { kind: 'booked'; uid: string } | { kind: 'not_booked' } | { kind: 'unknown'; message: string };

/**
 * Settles an intent left pending by a command that died mid-flight and was never delivered
 * again: Cal.com is asked (outside the mailbox) whether the booking exists — by its uid or by
 * our command id in metadata — and the row becomes booked or failed accordingly.
 */
export function settleHandler(deps: SlotActorDeps) {
  return handler({
    input: settleInputSchema,
    options: { outcome: 'reconcile' } satisfies SlotHandlerOptions,
    run: async (ctx, { appointmentId }): Promise<SettleReply | Deferred<{ appointmentId: number }>> => {
      const row = await deps.store.appointments.byId(appointmentId);
      return row?.status === 'pending' ? ctx.defer({ appointmentId }) : { status: 'reconciled', action: 'unchanged' };
    },
    effect: async (_ctx, { appointmentId }): Promise<Found> => {
      const row = await deps.store.appointments.byId(appointmentId);
      if (!row) return { kind: 'not_booked' };
      try {
        const booking = await findOwnBooking(deps, row);
        return booking ? { kind: 'booked', uid: booking.uid } : { kind: 'not_booked' };
      } catch (error) {
        return { kind: 'unknown', message: (error as Error)?.message ?? String(error) };
      }
    },
    settle: async (ctx, { appointmentId }, _effect, result: Settled<Found>): Promise<SettleReply> => {
      const found: Found = result.ok ? result.value : { kind: 'unknown', message: result.error };
      // Cal.com could not say: the intent stays pending, and the id is released so the next sweep asks again.
      if (found.kind === 'unknown') return { status: 'error', code: 'calcom_error', message: found.message };
      const row = await deps.store.appointments.byId(appointmentId);
      if (!row || row.status !== 'pending') return { status: 'reconciled', action: 'unchanged' }; // settled meanwhile (a webhook)
      if (found.kind === 'booked') {
        await deps.store.appointments.markBooked(row.id, found.uid);
        if (row.callId) await deps.store.calls.markHasAppointment(row.callId);
      } else {
        await deps.store.appointments.setStatus(row.id, 'failed');
      }
      ctx.log.info({ appointmentId, booked: found.kind === 'booked' }, 'settled a pending intent');
      return { status: 'reconciled', action: found.kind === 'booked' ? 'settled_booked' : 'settled_failed' };
    },
  });
}
