import { z } from 'zod';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../domain/zone-offsets.ts';
import { BOOKING_LANGUAGES, isBookingLanguage, isCalcomPhoneNumber } from './attendee.ts';

/*
 * Wire shapes of Cal.com API v2 (bookings 2024-08-13, slots 2024-09-04).
 * Responses are parsed loosely (unknown fields kept) so that Cal.com adding a field
 * never breaks bookings; only what we rely on is required.
 * Requests are parsed strictly so that we never send a body Cal.com answers with 400.
 */

// ---------- responses ----------

export const calcomErrorBodySchema = z.looseObject({
  status: z.literal('error'),
  timestamp: z.string().optional(),
  path: z.string().optional(),
  error: z.looseObject({
    code: z.string().optional(),
    message: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

/** Metadata values are strings in 2024-08-13; newer versions also return numbers/booleans. */
const metadataOutSchema = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((m): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return out;
  });

export const bookingAttendeeSchema = z.looseObject({
  name: z.string(),
  email: z.string().nullish(),
  timeZone: z.string().nullish(),
  language: z.string().nullish(),
  phoneNumber: z.string().nullish(),
  absent: z.boolean().nullish(),
});

/**
 * `id` is the host's user id, or the string "unknown" when the host user was deleted
 * (apps/api/v2/src/ee/bookings/2024-08-13/services/output.service.ts, getHost()).
 */
export const bookingHostSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  name: z.string().nullish(),
  email: z.string().nullish(),
  timeZone: z.string().nullish(),
});

export const bookingSchema = z.looseObject({
  id: z.number().int(),
  uid: z.string().min(1),
  title: z.string().nullish(),
  // A string rather than an enum: a new Cal.com status must not turn a booking into an error.
  status: z.string(),
  start: z.string(),
  end: z.string(),
  duration: z.number().nullish(),
  eventTypeId: z.number().int().nullish(),
  eventType: z.looseObject({ id: z.number().int(), slug: z.string().nullish() }).nullish(),
  hosts: z.array(bookingHostSchema).nullish().transform((h) => h ?? []),
  attendees: z.array(bookingAttendeeSchema).nullish().transform((a) => a ?? []),
  metadata: metadataOutSchema,
  location: z.string().nullish(),
  cancellationReason: z.string().nullish(),
  reschedulingReason: z.string().nullish(),
  rescheduledFromUid: z.string().nullish(),
  rescheduledToUid: z.string().nullish(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
});
export type CalcomBooking = z.output<typeof bookingSchema>;

/** A booking Cal.com still holds: accepted, or pending the business's confirmation. */
export function isLiveBooking(booking: Pick<CalcomBooking, 'status'>): boolean {
  return booking.status.toLowerCase() === 'accepted' || booking.status.toLowerCase() === 'pending';
}
export type BookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export const slotSchema = z.looseObject({ start: z.string(), end: z.string().optional() });
/** Slots keyed by local date (YYYY-MM-DD in the requested time zone). */
export const slotsByDateSchema = z.record(z.string(), z.array(slotSchema));
export type CalcomSlot = z.output<typeof slotSchema>;
export type SlotsByDate = z.output<typeof slotsByDateSchema>;

export const reservationSchema = z.looseObject({
  eventTypeId: z.number().int(),
  slotStart: z.string(),
  slotEnd: z.string(),
  slotDuration: z.number(),
  reservationUid: z.string().min(1),
  reservationDuration: z.number(),
  reservationUntil: z.string(),
});
export type CalcomReservation = z.output<typeof reservationSchema>;

export const paginationSchema = z.looseObject({
  totalItems: z.number().int(),
  remainingItems: z.number().int(),
  itemsPerPage: z.number().int(),
  currentPage: z.number().int(),
  totalPages: z.number().int(),
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean(),
});
export type CalcomPagination = z.output<typeof paginationSchema>;

/**
 * `{ status: 'success', data }` around a data schema, built once per data schema: a new zod
 * object compiles its parser on first use, which cost ~0.3 ms on every Cal.com answer.
 */
export function successEnvelope<T extends z.ZodType>(data: T) {
  let envelope = envelopes.get(data) as ReturnType<typeof buildEnvelope<T>> | undefined;
  if (!envelope) envelopes.set(data, (envelope = buildEnvelope(data)));
  return envelope;
}
const buildEnvelope = <T extends z.ZodType>(data: T) => z.looseObject({ status: z.literal('success'), data });
const envelopes = new WeakMap<z.ZodType, z.ZodType>();

export const bookingListEnvelopeSchema = z.looseObject({
  status: z.literal('success'),
  data: z.array(bookingSchema),
  pagination: paginationSchema.optional(),
});

// ---------- requests ----------

/** E.164 shape only; Cal.com itself checks with libphonenumber-js (see attendee.ts). */
export const E164 = /^\+[1-9]\d{6,14}$/;
export { normalizePhoneNumber } from './attendee.ts';

/** Accepts a Date or an ISO string with an offset; yields UTC ISO with milliseconds and `Z`. */
export const utcInstantSchema = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const utc = typeof value === 'string' ? (commonInstant(value) ?? isoInstant(value)) : isoInstant(value);
  if (utc === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 instant with an offset (e.g. 2025-01-10T09:00:00Z)' });
    return z.NEVER;
  }
  return utc;
});

/** Any ISO 8601 form luxon reads (week and ordinal dates too), with an offset; as UTC ISO. */
function isoInstant(value: Date | string): string | undefined {
  const dt = value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(value, { setZone: true });
  const hasOffset = value instanceof Date || /(Z|[+-]\d\d:?\d\d)$/i.test(value);
  return dt.isValid && hasOffset ? (dt.toUTC().toISO() as string) : undefined;
}

/**
 * The form nearly every instant comes in (`2025-01-10T09:00:00.000Z`, `…T10:00+01:00`), read
 * without luxon (a tenth of its time); undefined for any other form, which luxon then reads.
 * Date.parse rolls 30 February over to March, so the fields are checked first.
 */
function commonInstant(value: string): string | undefined {
  const m = COMMON_INSTANT.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((field) => Number(field ?? 0)) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
const COMMON_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;

const timeZoneSchema = z.string().refine(isValidTimeZone, 'must be an IANA time zone');

/** Cal.com limits (validate-metadata.ts): ≤ 50 keys, keys ≤ 40 chars, string values ≤ 500 chars. */
export const metadataInSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'metadata may have at most 50 keys');

export const attendeeInSchema = z
  .strictObject({
    name: z.string().trim().min(1),
    email: z.email().optional(),
    timeZone: timeZoneSchema,
    // Cal.com: libphonenumber-js isValidPhoneNumber (create-booking.input.ts, class Attendee).
    phoneNumber: z.string().refine(isCalcomPhoneNumber, 'Invalid phone number format. Please use international format.').optional(),
    // Cal.com: @IsEnum(BookingLanguage) (inputs/language.ts).
    language: z.string().refine(isBookingLanguage, `language must be one of the following values: ${BOOKING_LANGUAGES.join(', ')}`).default('de'),
  })
  .refine((a) => a.email !== undefined || a.phoneNumber !== undefined, 'attendee needs email or phoneNumber');

/**
 * `location` of a create (packages/platform/types/bookings/2024-08-13/inputs/location.input.ts):
 * one of the event type's location types; `attendeePhone` carries the caller's number.
 */
export const bookingLocationInputSchema = z.union([
  z.strictObject({ type: z.literal('attendeePhone'), phone: z.string().refine(isCalcomPhoneNumber, 'Invalid phone number') }),
  z.strictObject({ type: z.literal('attendeeAddress'), address: z.string().min(1) }),
  z.strictObject({ type: z.literal('attendeeDefined'), location: z.string().min(1) }),
  z.strictObject({ type: z.enum(['address', 'link', 'phone', 'organizersDefaultApp']) }),
  z.strictObject({ type: z.literal('integration'), integration: z.string().min(1) }),
]);
export type BookingLocationInput = z.output<typeof bookingLocationInputSchema>;

export const createBookingInputSchema = z.strictObject({
  start: utcInstantSchema,
  eventTypeId: z.number().int().positive(),
  attendee: attendeeInSchema,
  metadata: metadataInSchema.optional(),
  bookingFieldsResponses: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
    .optional(),
  guests: z.array(z.email()).optional(),
  location: bookingLocationInputSchema.optional(),
  /** Only for multi-duration event types; Cal.com answers 400 otherwise. */
  lengthInMinutes: z.number().int().positive().optional(),
  /**
   * Not in every 2024-08-13 create DTO: where it is missing, sending it is a 400
   * "property reservedSlotUid should not exist". Send it only with a reservation.
   */
  reservedSlotUid: z.string().min(1).optional(),
});
export type CreateBookingInput = z.input<typeof createBookingInputSchema>;
export type CreateBookingBody = z.output<typeof createBookingInputSchema>;

export const rescheduleBookingInputSchema = z.strictObject({
  start: utcInstantSchema,
  reschedulingReason: z.string().optional(),
  rescheduledBy: z.email().optional(),
  reservedSlotUid: z.string().min(1).optional(),
});
export type RescheduleBookingInput = z.input<typeof rescheduleBookingInputSchema>;

export const cancelBookingInputSchema = z.strictObject({
  cancellationReason: z.string().optional(),
});
export type CancelBookingInput = z.input<typeof cancelBookingInputSchema>;

export const reserveSlotInputSchema = z.strictObject({
  eventTypeId: z.number().int().positive(),
  slotStart: utcInstantSchema,
  /** Only for variable-length event types. */
  slotDuration: z.number().int().positive().optional(),
  /** Minutes; needs an API key. Cal.com's default is 5. */
  reservationDuration: z.number().int().positive().optional(),
});
export type ReserveSlotInput = z.input<typeof reserveSlotInputSchema>;

export const getSlotsInputSchema = z.strictObject({
  eventTypeId: z.number().int().positive(),
  start: utcInstantSchema,
  end: utcInstantSchema,
  /** Only changes how slot times are rendered (and which local date they are keyed by). */
  timeZone: timeZoneSchema.optional(),
  format: z.enum(['time', 'range']).optional(),
  duration: z.number().int().positive().optional(),
  bookingUidToReschedule: z.string().optional(),
});
export type GetSlotsInput = z.input<typeof getSlotsInputSchema>;

export const listBookingsInputSchema = z.strictObject({
  eventTypeId: z.number().int().positive().optional(),
  afterStart: utcInstantSchema.optional(),
  beforeEnd: utcInstantSchema.optional(),
  attendeeEmail: z.string().optional(),
  status: z.array(z.enum(['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'])).optional(),
  sortStart: z.enum(['asc', 'desc']).optional(),
  take: z.number().int().min(1).max(250).optional(),
  skip: z.number().int().min(0).optional(),
});
export type ListBookingsInput = z.input<typeof listBookingsInputSchema>;
