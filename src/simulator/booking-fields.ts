import { isValidPhoneNumber } from 'libphonenumber-js';
import type { SimBookingField, SimEventType, SimLocation } from './calendar.ts';
import { SimHttpError } from './envelope.ts';
import type { CreateRequest, LocationInput } from './validation.ts';

/*
 * Booking questions as Cal.com enforces them on a create:
 * - apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts turns the v2 body into
 *   `responses = {...bookingFieldsResponses, name, email: email ?? "", attendeePhoneNumber,
 *   guests, location: transformLocation(location)}` and refuses a `location` whose type the
 *   event type does not offer;
 * - packages/features/bookings/lib/getBookingResponsesSchema.ts checks every field: a hidden
 *   field is never required; the first required field without a value ends the check with
 *   `{<slug>}error_required_field`; phone values must pass libphonenumber-js
 *   isValidPhoneNumber (`{<slug>}invalid_number`); text-like fields must be strings;
 * - the ZodError reaches the client through apps/api/v2/src/filters/zod-exception.filter.ts:
 *   400, code "BAD_REQUEST", message "<path> - <issue>, " per issue (path `responses`).
 */

/** What `transformLocation` stores for each v2 location input (input.service.ts). */
function transformLocation(location: LocationInput): { value: string; optionValue: string } {
  if (typeof location === 'string') return { value: 'somewhereElse', optionValue: location };
  switch (location.type) {
    case 'attendeePhone':
      return { value: 'phone', optionValue: location.phone ?? '' };
    case 'attendeeAddress':
      return { value: 'attendeeInPerson', optionValue: location.address ?? '' };
    case 'attendeeDefined':
      return { value: 'somewhereElse', optionValue: location.location ?? '' };
    case 'address':
      return { value: 'inPerson', optionValue: '' };
    case 'phone':
      return { value: 'userPhone', optionValue: '' };
    case 'link':
      return { value: 'link', optionValue: '' };
    case 'organizersDefaultApp':
      return { value: 'conferencing', optionValue: '' };
    default:
      return { value: location.integration ?? location.type, optionValue: '' };
  }
}

/** The location the booking shows: what the attendee gave, or the organizer's own. */
export function bookingLocationText(et: SimEventType, location: LocationInput | undefined): string | undefined {
  if (location === undefined) return undefined;
  if (typeof location === 'string') return location;
  const own = et.locations.find((l) => l.type === location.type) as (SimLocation & Record<string, unknown>) | undefined;
  const t = transformLocation(location);
  return t.optionValue || (typeof own?.address === 'string' ? own.address : undefined) || (typeof own?.phone === 'string' ? own.phone : undefined) ||
    (typeof own?.link === 'string' ? own.link : undefined) || t.value;
}

function zodFail(issues: string[]): never {
  const message = issues.reduce((acc, issue) => `responses - ${issue}, ${acc}`, '');
  throw new SimHttpError(400, message, {}, 'BAD_REQUEST');
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Refuses the create as Cal.com would when its responses do not satisfy the event type's booking fields. */
export function validateBookingResponses(et: SimEventType, req: CreateRequest): Record<string, unknown> {
  if (req.location !== undefined && typeof req.location !== 'string') {
    const allowed = et.locations.map((l) => l.type);
    if (!allowed.includes(req.location.type as SimLocation['type']))
      throw new SimHttpError(
        400,
        `Booking location with type ${req.location.type} not valid for event type with id=${et.id}. The event type has following location types: ${allowed.join(', ')}, and only these types are allowed for booking location.`,
      );
  }
  const responses: Record<string, unknown> = {
    ...req.bookingFieldsResponses,
    name: req.attendee.name,
    email: req.attendee.email ?? '',
    ...(req.attendee.phoneNumber !== undefined && { attendeePhoneNumber: req.attendee.phoneNumber }),
    ...(req.guests.length > 0 && { guests: req.guests }),
    ...(req.location !== undefined && { location: transformLocation(req.location) }),
  };
  const emailField = et.bookingFields.find((f) => f.slug === 'email');
  const phoneField = et.bookingFields.find((f) => f.slug === 'attendeePhoneNumber');
  if (emailField?.hidden && !phoneField?.hidden) responses.email = '';

  const issues: string[] = [];
  for (const field of et.bookingFields) {
    const value = responses[field.slug];
    const required = !field.hidden && field.required;
    if (!required && value === undefined) continue;
    if (required && isEmpty(value)) {
      issues.push(`{${field.slug}}error_required_field`);
      break; // getBookingResponsesSchema returns at the first missing required field
    }
    const issue = checkValue(field, value, required);
    if (issue) issues.push(issue);
  }
  if (issues.length) zodFail(issues);
  return responses;
}

function checkValue(field: SimBookingField, value: unknown, required: boolean): string | undefined {
  const m = (message: string) => `{${field.slug}}${message}`;
  switch (field.type) {
    case 'email':
      return required && !(typeof value === 'string' && EMAIL.test(value)) ? m('email_validation_error') : undefined;
    case 'phone': {
      const needs = required || (typeof value === 'string' && value.trim() !== '');
      return !field.hidden && needs && !(typeof value === 'string' && isValidPhoneNumber(value)) ? m('invalid_number') : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : m('Invalid Boolean');
    case 'multiemail':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && EMAIL.test(v)) ? undefined : m('email_validation_error');
    case 'multiselect':
    case 'checkbox':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : m('Invalid array of strings');
    case 'radioInput': {
      const v = value as { value?: unknown; optionValue?: unknown } | undefined;
      // The attendee-phone option (value "phone") needs its number (optionsInputs.phone).
      if (v?.value === 'phone' || v?.value === 'attendeeInPerson') {
        if (isEmpty(v.optionValue)) return m('error_required_field');
        if (v.value === 'phone' && !(typeof v.optionValue === 'string' && isValidPhoneNumber(v.optionValue))) return m('invalid_number');
      }
      return undefined;
    }
    case 'name':
    case 'address':
    case 'text':
    case 'select':
    case 'number':
    case 'radio':
    case 'textarea':
    case 'url':
      return typeof value === 'string' ? undefined : m('Invalid string');
    default:
      return `Can't parse unknown booking field type: ${field.type}`;
  }
}
