import { DateTime } from 'luxon';
import { CalcomUnknownOutcomeError, isUnknownOutcome } from './errors.ts';
import type {
  CalcomBooking,
  CreateBookingInput,
  ListBookingsInput,
  RescheduleBookingInput,
} from './schemas.ts';
import { utcInstantSchema } from './schemas.ts';

/** The part of the client reconciliation needs (kept structural so tests and callers can wrap it). */
export interface BookingApi {
  createBooking(input: CreateBookingInput): Promise<CalcomBooking>;
  rescheduleBooking(uid: string, input: RescheduleBookingInput): Promise<CalcomBooking>;
  getBooking(uid: string): Promise<CalcomBooking>;
  listAllBookings(filter: ListBookingsInput): Promise<CalcomBooking[]>;
}

export interface ReconcileOptions {
  /** Metadata key that carries our command id. Default `commandId`. */
  matchKey?: string;
  /**
   * Wait before each lookup. More than one entry looks again when nothing was found,
   * for a Cal.com still finishing a slow create after our timeout. Default `[0]`.
   */
  lookupDelaysMs?: number[];
  /** Booking length if known; narrows the lookup window (else a day). */
  durationMinutes?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type CreateOutcome =
  | { outcome: 'created'; booking: CalcomBooking }
  /** The create's answer was lost, but the booking exists and carries our command id. */
  | { outcome: 'reconciled'; booking: CalcomBooking; cause: CalcomUnknownOutcomeError }
  /** The create's answer was lost and no booking with our command id exists. */
  | { outcome: 'not_booked'; cause: CalcomUnknownOutcomeError };

export type RescheduleOutcome =
  | { outcome: 'rescheduled'; booking: CalcomBooking }
  | { outcome: 'reconciled'; booking: CalcomBooking; cause: CalcomUnknownOutcomeError }
  | { outcome: 'not_rescheduled'; original: CalcomBooking; cause: CalcomUnknownOutcomeError };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ACTIVE = new Set(['accepted', 'pending']);

/** Live bookings first, then the oldest — a duplicate made by someone else never wins over ours. */
function pick(candidates: CalcomBooking[]): CalcomBooking | undefined {
  return [...candidates].sort(
    (a, b) => Number(ACTIVE.has(b.status)) - Number(ACTIVE.has(a.status)) || a.id - b.id,
  )[0];
}

function lookupWindow(startIso: string, durationMinutes: number | undefined) {
  // One minute of slack on both sides: whether Cal.com's afterStart/beforeEnd are
  // inclusive is not documented, and we filter precisely afterwards anyway.
  const start = DateTime.fromISO(startIso, { zone: 'utc' });
  return {
    afterStart: start.minus({ minutes: 1 }).toISO() as string,
    beforeEnd: start.plus({ minutes: (durationMinutes ?? 24 * 60) + 1 }).toISO() as string,
  };
}

async function lookup(
  find: () => Promise<CalcomBooking | undefined>,
  cause: CalcomUnknownOutcomeError,
  options: ReconcileOptions,
): Promise<CalcomBooking | undefined> {
  const sleep = options.sleep ?? realSleep;
  for (const delay of options.lookupDelaysMs ?? [0]) {
    if (delay > 0) await sleep(delay);
    try {
      const found = await find();
      if (found) return found;
    } catch (err) {
      // The lookup itself failed: the outcome stays unknown; the caller keeps the intent
      // open and settles it later (webhook or sweeper).
      throw new CalcomUnknownOutcomeError({
        operation: cause.operation,
        kind: cause.kind,
        status: cause.status,
        calcom: cause.calcom,
        code: cause.code,
        attempts: cause.attempts,
        message: `${cause.message}; reconciliation lookup failed: ${(err as Error).message}`,
        cause: err,
      });
    }
  }
  return undefined;
}

export interface MetadataQuery {
  eventTypeId: number;
  /** The booking's start (ISO instant with offset, or Date). */
  start: string | Date;
  /** Narrows the window; else a day after `start`. */
  durationMinutes?: number;
  /** Metadata key, default `commandId`. */
  key?: string;
  value: string;
}

/** Lists the event type's bookings around `start` and returns the one whose metadata[key] equals value. */
export async function findBookingByMetadata(
  api: Pick<BookingApi, 'listAllBookings'>,
  query: MetadataQuery,
): Promise<CalcomBooking | undefined> {
  const startIso = utcInstantSchema.parse(query.start);
  const key = query.key ?? 'commandId';
  const bookings = await api.listAllBookings({
    eventTypeId: query.eventTypeId,
    ...lookupWindow(startIso, query.durationMinutes),
  });
  return pick(bookings.filter((b) => b.metadata[key] === query.value));
}

/**
 * Create a booking; when its outcome is unknown (timeout, dropped connection, 5xx
 * after sending) find out instead of guessing: the booking carries our command id in
 * its metadata, so it either shows up in the listing (reconciled) or it was not made.
 * Other errors (400 slot taken, 404, …) are thrown unchanged.
 */
export async function createBookingReconciled(
  api: BookingApi,
  input: CreateBookingInput,
  options: ReconcileOptions = {},
): Promise<CreateOutcome> {
  const key = options.matchKey ?? 'commandId';
  const value = input.metadata?.[key];
  if (!value) throw new TypeError(`createBookingReconciled needs metadata.${key} to recognise its booking`);
  try {
    return { outcome: 'created', booking: await api.createBooking(input) };
  } catch (err) {
    if (!isUnknownOutcome(err)) throw err;
    const query = {
      eventTypeId: input.eventTypeId,
      start: input.start,
      key,
      value,
      ...(options.durationMinutes !== undefined && { durationMinutes: options.durationMinutes }),
    };
    const booking = await lookup(() => findBookingByMetadata(api, query), err, options);
    return booking ? { outcome: 'reconciled', booking, cause: err } : { outcome: 'not_booked', cause: err };
  }
}

/**
 * Reschedule; on an unknown outcome look for the new booking that names the old one
 * in `rescheduledFromUid`. If there is none, the original booking is returned as it
 * stands now.
 */
export async function rescheduleBookingReconciled(
  api: BookingApi,
  uid: string,
  input: RescheduleBookingInput,
  options: ReconcileOptions = {},
): Promise<RescheduleOutcome> {
  try {
    return { outcome: 'rescheduled', booking: await api.rescheduleBooking(uid, input) };
  } catch (err) {
    if (!isUnknownOutcome(err)) throw err;
    let original: CalcomBooking | undefined;
    const find = async () => {
      original = await api.getBooking(uid);
      if (original.rescheduledToUid) return api.getBooking(original.rescheduledToUid);
      const eventTypeId = original.eventTypeId ?? original.eventType?.id;
      if (!eventTypeId) return undefined;
      const minutes =
        options.durationMinutes ??
        (original.duration ?? DateTime.fromISO(original.end).diff(DateTime.fromISO(original.start), 'minutes').minutes);
      const newStart = utcInstantSchema.parse(input.start);
      const bookings = await api.listAllBookings({ eventTypeId, ...lookupWindow(newStart, minutes) });
      return pick(bookings.filter((b) => b.rescheduledFromUid === uid));
    };
    const booking = await lookup(find, err, options);
    if (booking) return { outcome: 'reconciled', booking, cause: err };
    if (!original) throw err;
    return { outcome: 'not_rescheduled', original, cause: err };
  }
}
