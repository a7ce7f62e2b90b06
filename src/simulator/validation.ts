import { isValidPhoneNumber } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { BOOKING_LANGUAGES } from '../calcom/attendee.ts';
import { isValidTimeZone } from '../domain/zone-offsets.ts';
import { SimHttpError } from './envelope.ts';

/*
 * Request-body validation as Cal.com's class-validator pipes do it: whitelisted
 * properties only (forbidNonWhitelisted), with the pipe's message format
 * "<prop> property is wrong,<constraints> <children>" joined by ", ".
 */

interface ValidationIssue {
  property: string;
  constraints: string[];
  children?: ValidationIssue[];
}

function format(issues: ValidationIssue[]): string {
  return issues
    .map((i) => `${i.property} property is wrong,${i.constraints.join(', ')} ${i.children ? format(i.children) : ''}`)
    .join(', ');
}

function fail(issues: ValidationIssue[]): never {
  throw new SimHttpError(400, format(issues));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Unknown properties → "property X should not exist" (what a v1/legacy payload earns). */
function forbidUnknown(body: Record<string, unknown>, allowed: readonly string[]): ValidationIssue[] {
  return Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ property: k, constraints: [`property ${k} should not exist`] }));
}

function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const dt = DateTime.fromISO(value, { zone: 'utc' });
  return dt.isValid ? dt.toMillis() : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Cal.com's BookingLanguage enum, newest version (packages/platform/types/bookings/2024-08-13/inputs/language.ts). */
export { BOOKING_LANGUAGES };

/** A v2 `location` (inputs/location.input.ts): an object with a `type`, or a plain string (kept for backwards compatibility). */
export type LocationInput = string | { type: string; phone?: string; address?: string; location?: string; integration?: string };
const LOCATION_TYPES = ['address', 'link', 'integration', 'phone', 'attendeeAddress', 'attendeePhone', 'attendeeDefined', 'organizersDefaultApp'];

export interface AttendeeInput {
  name: string;
  email?: string;
  timeZone: string;
  phoneNumber?: string;
  language: string;
}

export interface CreateRequest {
  startMs: number;
  eventTypeId?: number;
  eventTypeSlug?: string;
  attendee: AttendeeInput;
  metadata: Record<string, string>;
  guests: string[];
  bookingFieldsResponses: Record<string, unknown>;
  location?: LocationInput;
  lengthInMinutes?: number;
  reservedSlotUid?: string;
}

export const CREATE_ALLOWED = [
  'start', 'eventTypeId', 'eventTypeSlug', 'username', 'teamSlug', 'organizationSlug', 'attendee', 'bookingFieldsResponses',
  'guests', 'location', 'metadata', 'lengthInMinutes', 'reservedSlotUid', 'meetingUrl', 'emailVerificationCode',
] as const;
const ATTENDEE_ALLOWED = ['name', 'email', 'timeZone', 'phoneNumber', 'language'] as const;

function validateAttendee(value: unknown): { attendee?: AttendeeInput; issue?: ValidationIssue } {
  if (!isObject(value)) return { issue: { property: 'attendee', constraints: ['attendee must be an object'] } };
  const children = forbidUnknown(value, ATTENDEE_ALLOWED);
  const add = (property: string, constraint: string) => children.push({ property, constraints: [constraint] });
  if (typeof value.name !== 'string' || !value.name.trim()) add('name', 'name must be a string');
  if (typeof value.timeZone !== 'string' || !isValidTimeZone(value.timeZone)) add('timeZone', 'timeZone must be a valid IANA time-zone');
  if (value.email !== undefined && (typeof value.email !== 'string' || !EMAIL.test(value.email))) add('email', 'email must be an email');
  // create-booking.input.ts, class Attendee: libphonenumber-js isValidPhoneNumber.
  if (value.phoneNumber !== undefined && (typeof value.phoneNumber !== 'string' || !isValidPhoneNumber(value.phoneNumber)))
    add('phoneNumber', 'Invalid phone number format. Please use international format.');
  if (value.email === undefined && value.phoneNumber === undefined) add('email', 'email or phoneNumber must be provided');
  if (value.language !== undefined && !(BOOKING_LANGUAGES as readonly unknown[]).includes(value.language))
    add('language', `language must be one of the following values: ${BOOKING_LANGUAGES.join(', ')}`);
  if (children.length) return { issue: { property: 'attendee', constraints: [], children } };
  return {
    attendee: {
      name: value.name as string,
      timeZone: value.timeZone as string,
      language: (value.language as string | undefined) ?? 'en',
      ...(value.email !== undefined && { email: value.email as string }),
      ...(value.phoneNumber !== undefined && { phoneNumber: value.phoneNumber as string }),
    },
  };
}

/**
 * Strings only, as the 2024-08-13 validator first shipped (newer ones also take numbers
 * and booleans): a client that passes here passes on every Cal.com version.
 */
function validMetadata(value: unknown): value is Record<string, string> {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length <= 50 && keys.every((k) => k.length <= 40 && typeof value[k] === 'string' && (value[k] as string).length <= 500);
}

/** The BookingInputLocationValidator_2024_08_13 messages (inputs/location.input.ts). */
function locationIssue(value: unknown): string | undefined {
  if (typeof value === 'string') return undefined;
  if (!isObject(value)) return "BookingInputLocationValidator_2024_08_13 - Booking 'location' must have a 'type' property.";
  const type = value.type;
  if (typeof type !== 'string' || !type) return "BookingInputLocationValidator_2024_08_13 - Booking 'location' must have a 'type' property.";
  if (!LOCATION_TYPES.includes(type))
    return `BookingInputLocationValidator_2024_08_13 - Unsupported booking location type '${type}'. Valid types are address, link, integration, phone, attendeePhone, attendeeAddress, attendeeDefined and organizersDefaultApp.`;
  if (type === 'attendeePhone' && !(typeof value.phone === 'string' && isValidPhoneNumber(value.phone)))
    return 'BookingInputLocationValidator_2024_08_13 - Validation failed for attendeePhone location: phone must be a valid phone number';
  if (type === 'attendeeAddress' && !(typeof value.address === 'string' && value.address.length > 0))
    return 'BookingInputLocationValidator_2024_08_13 - Validation failed for attendeeAddress location: address must be longer than or equal to 1 characters';
  if (type === 'attendeeDefined' && !(typeof value.location === 'string' && value.location.length > 0))
    return 'BookingInputLocationValidator_2024_08_13 - Validation failed for attendeeDefined location: location must be longer than or equal to 1 characters';
  return undefined;
}

/**
 * `acceptsReservedSlotUid: false` models the 2024-08-13 create DTO versions without that
 * field (packages/platform/types/bookings/2024-08-13/inputs/create-booking.input.ts of those
 * versions): sending it earns "property reservedSlotUid should not exist".
 */
export function validateCreateBody(body: unknown, options: { acceptsReservedSlotUid?: boolean } = {}): CreateRequest {
  if (body === undefined || body === null) throw new SimHttpError(400, 'Body is required');
  if (!isObject(body)) throw new SimHttpError(400, 'Body should be an object');
  const allowed = options.acceptsReservedSlotUid === false ? CREATE_ALLOWED.filter((k) => k !== 'reservedSlotUid') : CREATE_ALLOWED;
  const issues = forbidUnknown(body, allowed);
  const startMs = parseInstant(body.start);
  if (startMs === undefined) issues.push({ property: 'start', constraints: ['start must be a valid ISO 8601 date string'] });
  if (body.eventTypeId !== undefined && !Number.isInteger(body.eventTypeId))
    issues.push({ property: 'eventTypeId', constraints: ['eventTypeId must be an integer number'] });
  const { attendee, issue } = validateAttendee(body.attendee);
  if (issue) issues.push(issue);
  if (body.metadata !== undefined && !validMetadata(body.metadata))
    issues.push({
      property: 'metadata',
      constraints: ['metadata must be an object with up to 50 keys, each key name up to 40 characters, and values with a maximum length of 500 characters.'],
    });
  if (body.guests !== undefined && !(Array.isArray(body.guests) && body.guests.every((g) => typeof g === 'string' && EMAIL.test(g))))
    issues.push({ property: 'guests', constraints: ['each value in guests must be an email'] });
  if (body.bookingFieldsResponses !== undefined && !(isObject(body.bookingFieldsResponses) && Object.values(body.bookingFieldsResponses).every((v) => v !== null)))
    issues.push({ property: 'bookingFieldsResponses', constraints: ['bookingFieldsResponses must be an object without null values'] });
  const location = body.location === undefined ? undefined : locationIssue(body.location);
  if (location) issues.push({ property: 'location', constraints: [location] });
  if (body.lengthInMinutes !== undefined && !Number.isInteger(body.lengthInMinutes))
    issues.push({ property: 'lengthInMinutes', constraints: ['lengthInMinutes must be an integer number'] });
  if (issues.length) fail(issues);
  if (body.eventTypeId === undefined && typeof body.eventTypeSlug !== 'string')
    throw new SimHttpError(400, 'Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided');
  return {
    startMs: startMs as number,
    attendee: attendee as AttendeeInput,
    metadata: (body.metadata as Record<string, string> | undefined) ?? {},
    guests: (body.guests as string[] | undefined) ?? [],
    bookingFieldsResponses: (body.bookingFieldsResponses as Record<string, unknown> | undefined) ?? {},
    ...(body.eventTypeId !== undefined && { eventTypeId: body.eventTypeId as number }),
    ...(typeof body.eventTypeSlug === 'string' && { eventTypeSlug: body.eventTypeSlug }),
    ...(body.lengthInMinutes !== undefined && { lengthInMinutes: body.lengthInMinutes as number }),
    ...(typeof body.reservedSlotUid === 'string' && { reservedSlotUid: body.reservedSlotUid }),
    ...(body.location !== undefined && { location: body.location as LocationInput }),
  };
}

export interface RescheduleRequest {
  startMs: number;
  reschedulingReason?: string;
  rescheduledBy?: string;
  reservedSlotUid?: string;
}

export function validateRescheduleBody(body: unknown): RescheduleRequest {
  if (!isObject(body)) throw new SimHttpError(400, 'Body should be an object');
  const issues = forbidUnknown(body, ['start', 'rescheduledBy', 'reschedulingReason', 'reservedSlotUid', 'seatUid', 'emailVerificationCode']);
  const startMs = parseInstant(body.start);
  if (startMs === undefined) issues.push({ property: 'start', constraints: ['start must be a valid ISO 8601 date string'] });
  if (body.rescheduledBy !== undefined && (typeof body.rescheduledBy !== 'string' || !EMAIL.test(body.rescheduledBy)))
    issues.push({ property: 'rescheduledBy', constraints: ['rescheduledBy must be an email'] });
  if (issues.length) fail(issues);
  return {
    startMs: startMs as number,
    ...(typeof body.reschedulingReason === 'string' && { reschedulingReason: body.reschedulingReason }),
    ...(typeof body.rescheduledBy === 'string' && { rescheduledBy: body.rescheduledBy }),
    ...(typeof body.reservedSlotUid === 'string' && { reservedSlotUid: body.reservedSlotUid }),
  };
}

export function validateCancelBody(body: unknown): { cancellationReason?: string } {
  if (body === undefined) return {};
  if (!isObject(body)) throw new SimHttpError(400, 'Body should be an object');
  const issues = forbidUnknown(body, ['cancellationReason', 'cancelSubsequentBookings', 'seatUid']);
  if (body.cancellationReason !== undefined && typeof body.cancellationReason !== 'string')
    issues.push({ property: 'cancellationReason', constraints: ['cancellationReason must be a string'] });
  if (issues.length) fail(issues);
  return typeof body.cancellationReason === 'string' ? { cancellationReason: body.cancellationReason } : {};
}

export interface ReserveRequest {
  eventTypeId: number;
  slotStartMs: number;
  slotDuration?: number;
  reservationDuration?: number;
}

export function validateReserveBody(body: unknown): ReserveRequest {
  if (!isObject(body)) throw new SimHttpError(400, 'Body should be an object');
  const issues = forbidUnknown(body, ['eventTypeId', 'slotStart', 'slotDuration', 'reservationDuration']);
  const slotStartMs = parseInstant(body.slotStart);
  if (!Number.isInteger(body.eventTypeId)) issues.push({ property: 'eventTypeId', constraints: ['eventTypeId must be an integer number'] });
  if (slotStartMs === undefined) issues.push({ property: 'slotStart', constraints: ['slotStart must be a valid ISO 8601 date string'] });
  for (const k of ['slotDuration', 'reservationDuration'] as const)
    if (body[k] !== undefined && !(Number.isInteger(body[k]) && (body[k] as number) > 0))
      issues.push({ property: k, constraints: [`${k} must be a positive number`] });
  if (issues.length) fail(issues);
  return {
    eventTypeId: body.eventTypeId as number,
    slotStartMs: slotStartMs as number,
    ...(body.slotDuration !== undefined && { slotDuration: body.slotDuration as number }),
    ...(body.reservationDuration !== undefined && { reservationDuration: body.reservationDuration as number }),
  };
}

/**
 * The legacy 2024-04-15 create route (what a missing or unknown cal-api-version gets).
 * Its body has `responses{name,email}`, root `timeZone`/`language`; a v2 body lacks
 * them and is refused. The simulator does not book through the legacy route at all:
 * the project must never depend on it, so a well-formed legacy body is refused too,
 * with a message that says what to send instead.
 */
export function refuseLegacyCreate(body: unknown): never {
  const b = isObject(body) ? body : {};
  const messages: string[] = [];
  if (!isObject(b.responses)) messages.push('responses must be an object');
  if (typeof b.timeZone !== 'string') messages.push('timeZone must be a string');
  if (typeof b.language !== 'string') messages.push('language must be a string');
  if (b.eventTypeId === undefined) messages.push('eventTypeId must be an integer number');
  if (messages.length) throw new SimHttpError(400, messages.join(', '));
  throw new SimHttpError(400, 'Legacy booking API (cal-api-version missing or not 2024-08-13) is not simulated: send cal-api-version 2024-08-13 with a v2 body');
}
