import { isValidPhoneNumber } from 'libphonenumber-js';
import { remembered } from '../domain/remembered.ts';

/*
 * What Cal.com checks on `attendee` before it books, checked here first so that a caller
 * hears a German sentence instead of the booking failing with a 400.
 *
 * - phoneNumber: `isValidPhoneNumber` of libphonenumber-js, message "Invalid phone number
 *   format. Please use international format." (packages/platform/types/bookings/2024-08-13/
 *   inputs/create-booking.input.ts, class Attendee)
 * - language: `@IsEnum(BookingLanguage)` (packages/platform/types/bookings/2024-08-13/inputs/
 *   language.ts). The newest enum, with `bn`.
 */

/** Cal.com's BookingLanguage values (inputs/language.ts, newest version: ends with `bn`). */
export const BOOKING_LANGUAGES = [
  'ar', 'ca', 'de', 'es', 'eu', 'he', 'id', 'ja', 'lv', 'pl', 'ro', 'sr', 'th', 'vi', 'az', 'cs', 'el', 'es-419', 'fi', 'hr', 'it',
  'km', 'nl', 'pt', 'ru', 'sv', 'tr', 'zh-CN', 'bg', 'da', 'en', 'et', 'fr', 'hu', 'iw', 'ko', 'no', 'pt-BR', 'sk', 'ta', 'uk', 'zh-TW',
  'bn',
] as const;
export type BookingLanguage = (typeof BOOKING_LANGUAGES)[number];

const LANGUAGE_SET: ReadonlySet<string> = new Set(BOOKING_LANGUAGES);
const BY_LOWER = new Map(BOOKING_LANGUAGES.map((l) => [l.toLowerCase(), l]));

/**
 * A language tag as Cal.com's enum spells it, or undefined: exact values pass, case is
 * repaired (`pt-br` → `pt-BR`), and a regional tag falls back to its language when only
 * that is known (`de-DE` → `de`, `en_US` → `en`).
 */
export function toBookingLanguage(tag: string): BookingLanguage | undefined {
  const t = tag.trim().replace('_', '-');
  if (LANGUAGE_SET.has(t)) return t as BookingLanguage;
  const exact = BY_LOWER.get(t.toLowerCase());
  if (exact) return exact;
  const base = t.split('-')[0]?.toLowerCase();
  return base ? BY_LOWER.get(base) : undefined;
}

export function isBookingLanguage(value: string): value is BookingLanguage {
  return LANGUAGE_SET.has(value);
}

/**
 * Cal.com's own phone check (libphonenumber-js), on the international form. Remembered: one
 * booking checks its number up to three times (request, payload, schema), ~0.1 ms each.
 */
export const isCalcomPhoneNumber: (value: string) => boolean = remembered((value) => isValidPhoneNumber(value));

/**
 * Strips spaces, dashes, dots and brackets and turns a leading 00 into +; undefined when
 * the result is not a number Cal.com accepts (`isValidPhoneNumber`).
 */
export function normalizePhoneNumber(raw: string): string | undefined {
  let p = raw.replace(/[\s\-./()]/g, '');
  if (p.startsWith('00')) p = `+${p.slice(2)}`;
  return p.startsWith('+') && isCalcomPhoneNumber(p) ? p : undefined;
}

export type AttendeeProblemCode = 'invalid_phone' | 'unsupported_language';

export interface AttendeeProblem {
  code: AttendeeProblemCode;
  field: 'phoneNumber' | 'language';
  /** What the agent can say to the caller. */
  message: string;
}

/** German sentences for the caller, one per machine code. */
export const ATTENDEE_MESSAGES_DE: Record<AttendeeProblemCode, string> = {
  invalid_phone:
    'Die Telefonnummer scheint nicht zu stimmen. Könnten Sie sie bitte noch einmal mit Vorwahl nennen, zum Beispiel null eins sieben null …?',
  unsupported_language: 'Die gewünschte Sprache kann unser Buchungssystem leider nicht verwenden; wir buchen auf Deutsch.',
};

/**
 * The attendee fields Cal.com would refuse, checked before calling it. Returns the first
 * problem (with a machine code and a German sentence) or undefined when Cal.com will accept them.
 */
export function validateAttendee(attendee: { phoneNumber?: string | undefined; language?: string | undefined }): AttendeeProblem | undefined {
  if (attendee.phoneNumber !== undefined && !isCalcomPhoneNumber(attendee.phoneNumber))
    return { code: 'invalid_phone', field: 'phoneNumber', message: ATTENDEE_MESSAGES_DE.invalid_phone };
  if (attendee.language !== undefined && !isBookingLanguage(attendee.language))
    return { code: 'unsupported_language', field: 'language', message: ATTENDEE_MESSAGES_DE.unsupported_language };
  return undefined;
}
