import { DateTime } from 'luxon';
import { isCalcomError, isLiveBooking, isNotFound, type CalcomBooking } from '../calcom/index.ts';
import type { ServiceEntry } from '../catalog/index.ts';
import type { EffectContext } from '../runtime/actor.ts';
import type { Appointment } from '../store/index.ts';
import type { SlotActorDeps } from './deps.ts';
import { failure, type BookReply } from './replies.ts';

/** Saga steps the slot actor's effects share: the double-check, compensation, best-effort writes. */

/** Is the segment's start still offered by Cal.com? A fresh cached week answers without a call. */
export async function stillFree(
  deps: SlotActorDeps,
  entry: ServiceEntry,
  p: { eventTypeId: number; startUtc: number },
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

/**
 * The live Cal.com booking an intent's command made, if any: by the uid it saved, else by its
 * command id in metadata (a create whose answer was lost). Cal.com not knowing the uid is "none";
 * any other failure is thrown — Cal.com could not say.
 */
export async function findOwnBooking(deps: SlotActorDeps, row: Appointment): Promise<CalcomBooking | undefined> {
  const booking = row.calcomUid
    ? await deps.calcom.getBooking(row.calcomUid).catch((error) => {
        if (isNotFound(error)) return undefined;
        throw error;
      })
    : row.commandId
      ? await deps.calcom.findBookingByMetadata({ eventTypeId: row.eventTypeId, start: iso(row.startUtc), durationMinutes: (row.endUtc - row.startUtc) / 60_000, value: row.commandId })
      : undefined;
  return booking && isLiveBooking(booking) && Date.parse(booking.start) === row.startUtc ? booking : undefined;
}

/** Saga compensation: cancel bookings we must not keep; what cannot be cancelled becomes an orphan. */
export async function compensate(
  deps: SlotActorDeps,
  ctx: Pick<EffectContext, 'commandId' | 'log'>,
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
        await tryTo(() => deps.store.orphans.record(booking.uid, booking.metadata.companyId ?? null, ctx.commandId, reason, (error as Error).message));
        deps.observeCompensation?.('orphaned');
        ctx.log.error({ uid: booking.uid, reason, err: error }, 'compensation failed: booking recorded as orphan for the sweeper');
      }
    }),
  );
}

export async function tryTo(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    // Best effort: the sweeper reconciles whatever this leaves behind.
  }
}

/**
 * An error no step handled (Cal.com down during the double-check, SQLite refusing the intent):
 * answered as a transient `error`, so the command id is released and a retry runs again
 * instead of repeating this failure for the whole retention window.
 */
export function unexpected(ctx: Pick<EffectContext, 'log'>, error: unknown): BookReply {
  ctx.log.error({ err: error }, 'command failed unexpectedly');
  return failure(isCalcomError(error) ? 'calcom_error' : 'internal_error', (error as Error)?.message ?? String(error));
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
