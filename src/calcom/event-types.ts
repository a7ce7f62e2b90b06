import { z } from 'zod';
import type { BookingLocationInput } from './schemas.ts';

/*
 * Event types as Cal.com reports them — GET /v2/event-types/{id} with cal-api-version
 * 2024-06-14 (EventTypeOutput_2024_06_14, apps/api/v2/src/ee/event-types/event-types_2024_06_14/
 * services/output-event-types.service.ts) — and what a voice booking must send to satisfy
 * their booking questions (packages/features/bookings/lib/getBookingResponsesSchema.ts).
 */

// ---------- wire shape (loose: a new Cal.com field never breaks the start) ----------

const bookingFieldWire = z.looseObject({
  slug: z.string(),
  type: z.string(),
  required: z.boolean().optional(),
  hidden: z.boolean().optional(),
  isDefault: z.boolean().optional(),
  label: z.string().nullish(),
  /** Unknown fields come as `{type:"unknown", slug:"unknown", bookingField: "<internal JSON>"}`. */
  bookingField: z.string().optional(),
});

/** `{disabled:true}` (newer), or a plain boolean (older versions). */
const disabledFlag = z
  .union([z.boolean(), z.looseObject({ disabled: z.boolean().optional() })])
  .nullish()
  .transform((v) => (typeof v === 'boolean' ? v : v?.disabled === true));

export const eventTypeWireSchema = z.looseObject({
  id: z.number().int(),
  lengthInMinutes: z.number(),
  title: z.string().nullish(),
  slug: z.string().nullish(),
  bookingFields: z.array(bookingFieldWire).nullish(),
  locations: z.array(z.looseObject({ type: z.string() })).nullish(),
  minimumBookingNotice: z.number().nullish(),
  beforeEventBuffer: z.number().nullish(),
  afterEventBuffer: z.number().nullish(),
  slotInterval: z.number().nullish(),
  /** `{disabled:true}` or `{type:"always"|"time", noticeThreshold?, blockUnconfirmedBookingsInBooker}` (transformers/internal-to-api/requires-confirmation.ts). */
  confirmationPolicy: z
    .looseObject({
      disabled: z.boolean().optional(),
      type: z.string().optional(),
      blockUnconfirmedBookingsInBooker: z.boolean().optional(),
      noticeThreshold: z.looseObject({ unit: z.string(), count: z.number() }).optional(),
    })
    .nullish(),
  requiresConfirmation: z.boolean().nullish(),
  requiresBookerEmailVerification: z.boolean().nullish(),
  disableCancelling: disabledFlag,
  disableRescheduling: disabledFlag,
  lengthInMinutesOptions: z.array(z.number()).nullish(),
  seats: z.unknown().optional(),
});

// ---------- the runtime's view ----------

export interface EventTypeBookingField {
  slug: string;
  type: string;
  /** Required and visible: Cal.com refuses a create without it. A hidden field is never required. */
  required: boolean;
  hidden: boolean;
}

export type ConfirmationMode = 'never' | 'always' | 'time';

export interface CalcomEventType {
  id: number;
  title: string;
  slug: string;
  lengthInMinutes: number;
  /** Several lengths to choose from (then `lengthInMinutes` may be sent). */
  lengthOptions: number[];
  bookingFields: EventTypeBookingField[];
  /** Location types the event type offers (attendeePhone, address, integration, …). */
  locationTypes: string[];
  minimumBookingNoticeMinutes: number;
  beforeBufferMinutes: number;
  afterBufferMinutes: number;
  /** `always`: every booking is pending until the host confirms; `time`: only bookings sooner than the notice threshold. */
  confirmation: ConfirmationMode;
  /** A pending booking holds its slot. */
  unconfirmedBlocksSlot: boolean;
  /** Only when `confirmation` is `time`: bookings starting sooner than this need confirmation. */
  confirmationThresholdMinutes?: number;
  requiresEmailVerification: boolean;
  cancellingDisabled: boolean;
  reschedulingDisabled: boolean;
}

const UNIT_MINUTES: Record<string, number> = { minutes: 1, hours: 60, days: 24 * 60 };

/** Reads an unknown field's internal form (`{name, type, required, hidden}`) where Cal.com could not map it. */
function unknownField(json: string | undefined): EventTypeBookingField | undefined {
  if (!json) return undefined;
  try {
    const f = JSON.parse(json) as { name?: unknown; type?: unknown; required?: unknown; hidden?: unknown };
    if (typeof f.name !== 'string') return undefined;
    const hidden = f.hidden === true;
    return { slug: f.name, type: typeof f.type === 'string' ? f.type : 'unknown', required: f.required === true && !hidden, hidden };
  } catch {
    return undefined;
  }
}

/** The wire form (already validated) as the runtime uses it. */
export function toCalcomEventType(wire: z.output<typeof eventTypeWireSchema>): CalcomEventType {
  const fields: EventTypeBookingField[] = [];
  for (const f of wire.bookingFields ?? []) {
    if (f.type === 'unknown') {
      const parsed = unknownField(f.bookingField);
      fields.push(parsed ?? { slug: f.slug, type: 'unknown', required: true, hidden: false });
      continue;
    }
    const hidden = f.hidden === true;
    // The name field has no `hidden`; `required` is absent on some default fields (EmailDefaultField has it as an object).
    const required = (typeof f.required === 'boolean' ? f.required : f.slug === 'name' || f.slug === 'email') && !hidden;
    fields.push({ slug: f.slug, type: f.type, required, hidden });
  }
  const policy = wire.confirmationPolicy;
  let confirmation: ConfirmationMode = 'never';
  if (policy && !policy.disabled && policy.type) confirmation = policy.type === 'time' ? 'time' : 'always';
  else if (!policy && wire.requiresConfirmation) confirmation = 'always';
  const threshold = policy?.noticeThreshold ? policy.noticeThreshold.count * (UNIT_MINUTES[policy.noticeThreshold.unit] ?? 1) : undefined;
  return {
    id: wire.id,
    title: wire.title ?? '',
    slug: wire.slug ?? '',
    lengthInMinutes: wire.lengthInMinutes,
    lengthOptions: wire.lengthInMinutesOptions ?? [],
    bookingFields: fields,
    locationTypes: (wire.locations ?? []).map((l) => l.type),
    minimumBookingNoticeMinutes: wire.minimumBookingNotice ?? 0,
    beforeBufferMinutes: wire.beforeEventBuffer ?? 0,
    afterBufferMinutes: wire.afterEventBuffer ?? 0,
    confirmation,
    unconfirmedBlocksSlot: policy?.blockUnconfirmedBookingsInBooker === true,
    ...(confirmation === 'time' && threshold !== undefined && { confirmationThresholdMinutes: threshold }),
    requiresEmailVerification: wire.requiresBookerEmailVerification === true,
    cancellingDisabled: wire.disableCancelling,
    reschedulingDisabled: wire.disableRescheduling,
  };
}

/** Will a booking of this event type starting `minutesAhead` from now be pending (await the host)? */
export function needsConfirmation(et: CalcomEventType, minutesAhead: number): boolean {
  if (et.confirmation === 'always') return true;
  if (et.confirmation === 'time') return et.confirmationThresholdMinutes === undefined || minutesAhead < et.confirmationThresholdMinutes;
  return false;
}

// ---------- filling booking questions from what a voice booking knows ----------

/** What a booking made on the phone knows about the caller. */
export interface VoiceBookingFacts {
  name: string;
  email?: string | undefined;
  /** E.164, Cal.com-valid (see attendee.ts). */
  phone?: string | undefined;
  callId?: string | undefined;
  language?: string | undefined;
}

export type BookingFieldsOutcome =
  | {
      ok: true;
      /** For the create body's `bookingFieldsResponses` (omit when empty). */
      bookingFieldsResponses: Record<string, string>;
      /** For the create body's `location`, when the event type asks for one we can give. */
      location?: BookingLocationInput;
      /** The phone must go in `attendee.phoneNumber` (Cal.com maps it to `attendeePhoneNumber`). */
      sendAttendeePhone: boolean;
    }
  | {
      ok: false;
      code: 'booking_field_unfillable';
      /** The booking question (slug) we cannot answer. */
      field: string;
      /** Why, for logs and the catalog check. */
      detail: string;
      /** What the agent can say. */
      message: string;
    };

const UNFILLABLE_MESSAGE_DE =
  'Diesen Termin kann ich am Telefon leider nicht buchen, weil dafür Angaben nötig sind, die ich nicht aufnehmen kann. Bitte buchen Sie ihn online oder rufen Sie während der Öffnungszeiten an.';
const NEEDS_PHONE_MESSAGE_DE = 'Für diesen Termin brauche ich Ihre Telefonnummer. Unter welcher Nummer erreichen wir Sie?';

const ORGANIZER_LOCATIONS = ['address', 'link', 'phone', 'integration', 'organizersDefaultApp'];

/** The note a voice booking leaves in Cal.com's `notes` question. */
export function voiceBookingNote(facts: VoiceBookingFacts): string {
  return facts.callId ? `Telefonisch gebucht (Anruf ${facts.callId})` : 'Telefonisch gebucht';
}

/**
 * Builds `bookingFieldsResponses` / `location` for a create from what a voice booking knows,
 * or names the first required booking question it cannot answer. Pure: no I/O.
 *
 * - name, email: sent in `attendee` (a required email without one cannot be filled)
 * - attendeePhoneNumber or any other phone question: the caller's number
 * - notes: a note carrying the call id (whenever the question is shown)
 * - location: `{type:"attendeePhone", phone}` where the event type offers attendee phone;
 *   an organizer location (address, link, …) when that is what the type offers and it is required
 * - email verification, guests, addresses, free text, yes/no consent and anything else
 *   required: cannot be answered on the phone → `booking_field_unfillable`
 */
export function buildBookingFields(et: CalcomEventType, facts: VoiceBookingFacts): BookingFieldsOutcome {
  const responses: Record<string, string> = {};
  let location: BookingLocationInput | undefined;
  let sendAttendeePhone = false;
  const fail = (field: string, detail: string, message = UNFILLABLE_MESSAGE_DE): BookingFieldsOutcome => ({
    ok: false,
    code: 'booking_field_unfillable',
    field,
    detail,
    message,
  });

  if (et.requiresEmailVerification) return fail('emailVerificationCode', 'the event type requires booker email verification');

  for (const f of et.bookingFields) {
    if (f.hidden) continue;
    switch (f.slug) {
      case 'name':
        continue;
      case 'email':
        if (f.required && !facts.email) return fail('email', 'a required email and the caller gave none');
        continue;
      case 'rescheduleReason':
        continue; // shown only when rescheduling (its view is "reschedule")
      case 'notes':
        responses.notes = voiceBookingNote(facts);
        continue;
      case 'attendeePhoneNumber':
        if (facts.phone) sendAttendeePhone = true;
        else if (f.required) return fail(f.slug, 'a required attendee phone and no caller number', NEEDS_PHONE_MESSAGE_DE);
        continue;
      case 'location': {
        if (et.locationTypes.includes('attendeePhone') && facts.phone) {
          location = { type: 'attendeePhone', phone: facts.phone };
          continue;
        }
        if (!f.required) continue;
        const organizer = et.locationTypes.find((t) => ORGANIZER_LOCATIONS.includes(t));
        if (organizer && organizer !== 'integration') {
          location = { type: organizer as 'address' | 'link' | 'phone' | 'organizersDefaultApp' };
          continue;
        }
        if (et.locationTypes.includes('attendeePhone')) return fail('location', 'a required attendee-phone location and no caller number', NEEDS_PHONE_MESSAGE_DE);
        return fail('location', `a required location of type ${et.locationTypes.join(', ') || '(none)'} the runtime cannot choose`);
      }
      case 'title':
        if (f.required) responses.title = et.title ? `${et.title}: ${facts.name}` : facts.name;
        continue;
    }
    if (f.type === 'phone') {
      if (facts.phone) responses[f.slug] = facts.phone;
      else if (f.required) return fail(f.slug, 'a required phone question and no caller number', NEEDS_PHONE_MESSAGE_DE);
      continue;
    }
    if (f.required) return fail(f.slug, `a required ${f.type} question the runtime cannot answer`);
  }
  // An event type that offers only the attendee's phone as location gets it even when not asked for.
  if (!location && facts.phone && et.locationTypes.length === 1 && et.locationTypes[0] === 'attendeePhone') {
    location = { type: 'attendeePhone', phone: facts.phone };
  }
  return { ok: true, bookingFieldsResponses: responses, ...(location && { location }), sendAttendeePhone };
}

// ---------- catalog vs event types ----------

export interface CatalogServiceRef {
  companyId: string;
  serviceId: string;
  /** Each Cal.com booking the service makes, with the length the catalog expects. */
  segments: Array<{ eventTypeId: number; durationMinutes: number }>;
}

export interface CatalogEventTypeProblem {
  companyId: string;
  serviceId: string;
  eventTypeId: number;
  /** `unfillable_field`, `unknown_event_type`, `length_mismatch`, `needs_caller_phone`. */
  kind: 'unfillable_field' | 'unknown_event_type' | 'length_mismatch' | 'needs_caller_phone' | 'buffer_conflict';
  /** Only for unfillable_field / needs_caller_phone. */
  field?: string;
  /** "service X: event type N requires field F that the runtime cannot fill". */
  message: string;
}

/**
 * Pure check of the catalog against Cal.com's event types: every problem a voice booking
 * would hit (the integrator stops the start with exit 78 on `fatal` ones). `needs_caller_phone`
 * is not fatal — calls from a suppressed number cannot book such a service, others can.
 */
export function checkCatalogEventTypes(
  services: CatalogServiceRef[],
  eventTypes: ReadonlyMap<number, CalcomEventType>,
): { fatal: CatalogEventTypeProblem[]; warnings: CatalogEventTypeProblem[] } {
  const fatal: CatalogEventTypeProblem[] = [];
  const warnings: CatalogEventTypeProblem[] = [];
  const probe: VoiceBookingFacts = { name: 'Probe', email: 'probe@example.com', phone: '+4915112345678', callId: 'probe' };
  for (const s of services) {
    for (const seg of s.segments) {
      const base = { companyId: s.companyId, serviceId: s.serviceId, eventTypeId: seg.eventTypeId };
      const et = eventTypes.get(seg.eventTypeId);
      if (!et) {
        fatal.push({ ...base, kind: 'unknown_event_type', message: `service ${s.serviceId}: event type ${seg.eventTypeId} is not known to Cal.com` });
        continue;
      }
      if (et.lengthInMinutes !== seg.durationMinutes && !et.lengthOptions.includes(seg.durationMinutes)) {
        fatal.push({
          ...base,
          kind: 'length_mismatch',
          message: `service ${s.serviceId}: event type ${et.id} lasts ${et.lengthInMinutes} min in Cal.com, the catalog books ${seg.durationMinutes} min`,
        });
      }
      const best = buildBookingFields(et, probe);
      if (!best.ok) {
        fatal.push({ ...base, kind: 'unfillable_field', field: best.field, message: `service ${s.serviceId}: event type ${et.id} requires field ${best.field} that the runtime cannot fill` });
        continue;
      }
      const noPhone = buildBookingFields(et, { ...probe, phone: undefined });
      if (!noPhone.ok) {
        warnings.push({
          ...base,
          kind: 'needs_caller_phone',
          field: noPhone.field,
          message: `service ${s.serviceId}: event type ${et.id} requires field ${noPhone.field}: only callers with a known phone number can book it`,
        });
      }
    }
  }
  return { fatal, warnings };
}

/** The catalog's services as `checkCatalogEventTypes` reads them (from a CatalogIndex). */
export function catalogServiceRefs(index: {
  catalog: { companies: Array<{ id: string }> };
  servicesOf(companyId: string): Array<{ service: { id: string }; segments: Array<{ eventTypeId: number; durationMinutes: number }> }>;
}): CatalogServiceRef[] {
  return index.catalog.companies.flatMap((company) =>
    index.servicesOf(company.id).map((entry) => ({
      companyId: company.id,
      serviceId: entry.service.id,
      segments: entry.segments.map((s) => ({ eventTypeId: s.eventTypeId, durationMinutes: s.durationMinutes })),
    })),
  );
}

/** Every event type id the catalog books (for `EventTypeRegistry.create({ eventTypeIds })`). */
export function catalogEventTypeIds(refs: CatalogServiceRef[]): number[] {
  return [...new Set(refs.flatMap((r) => r.segments.map((s) => s.eventTypeId)))].sort((a, b) => a - b);
}
