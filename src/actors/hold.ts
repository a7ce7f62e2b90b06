import { z } from 'zod';
import { handler } from '../runtime/actor.ts';
import { isLiveAppointment, type Appointment } from '../store/index.ts';
import { appointmentRows, ids } from './cancel.ts';
import type { SlotActorDeps } from './deps.ts';
import type { SlotHandlerOptions } from './envelope.ts';
import { slotKeyAt } from './slot-key.ts';

/**
 * Holds let one actor own every change of an existing appointment. A reschedule first claims the
 * appointment in the actor of its current day (the one a cancel also goes to); while held, a
 * concurrent cancel or second move is told the truth instead of also succeeding. The hold is
 * settled by the old day's half of the move, released when the move fails, and lapses by itself
 * if the process that took it died.
 */
export const claimInputSchema = z.object({
  companyId: z.string().min(1),
  appointmentId: z.number().int().positive(),
  /** The command that will change the appointment. */
  holder: z.string().min(1),
  leaseMs: z.number().int().positive().default(120_000),
});

export const releaseInputSchema = z.object({
  companyId: z.string().min(1),
  appointmentId: z.number().int().positive(),
  holder: z.string().min(1),
});

export type ClaimReply =
  | { status: 'claimed' }
  | { status: 'rejected'; code: 'appointment_not_found' | 'already_cancelled' | 'being_changed' | 'wrong_actor'; message: string };

/** Whether someone other than `holder` holds the appointment right now. */
export function heldByOther(row: Appointment, holder: string | undefined, now: number): boolean {
  return !!row.heldBy && row.heldBy !== holder && (row.heldUntil ?? 0) > now;
}

/** A claim answers what is true now, never a stored reply: asking again runs again. */
export function claimHandler(deps: SlotActorDeps) {
  return handler({
    input: claimInputSchema,
    options: { fresh: true } satisfies SlotHandlerOptions,
    run: async (ctx, input): Promise<ClaimReply> => {
      const rows = await appointmentRows(deps, input.companyId, input.appointmentId);
      const head = rows?.[0];
      if (!rows || !head) return { status: 'rejected', code: 'appointment_not_found', message: `no appointment ${input.appointmentId}` };
      const zone = deps.catalog.company(input.companyId)!.timeZone;
      if (slotKeyAt(head.companyId, head.calendarKey, head.startUtc, zone) !== ctx.key) {
        return { status: 'rejected', code: 'wrong_actor', message: `appointment ${head.id} does not belong to ${ctx.key}` };
      }
      const live = rows.filter(isLiveAppointment);
      if (live.length === 0) return { status: 'rejected', code: 'already_cancelled', message: `appointment ${head.id} is cancelled` };
      if (heldByOther(head, input.holder, deps.now())) return { status: 'rejected', code: 'being_changed', message: `appointment ${head.id} is being changed by ${head.heldBy}` };
      const until = deps.now() + input.leaseMs;
      await deps.store.appointments.setHold(ids(live), input.holder, until);
      return { status: 'claimed' };
    },
  });
}

export function releaseHandler(deps: SlotActorDeps) {
  return handler({
    input: releaseInputSchema,
    options: { fresh: true } satisfies SlotHandlerOptions,
    run: async (_ctx, input): Promise<{ status: 'released' | 'unchanged' }> => {
      const rows = (await appointmentRows(deps, input.companyId, input.appointmentId)) ?? [];
      const held = rows.filter((row) => row.heldBy === input.holder);
      await deps.store.appointments.setHold(ids(held), null, null);
      return { status: held.length ? 'released' : 'unchanged' };
    },
  });
}
