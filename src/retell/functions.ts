import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { BookOutcome, BookingService } from '../booking/booking-service.ts';
import type { CatalogIndex, CompanyConfig, ServiceEntry } from '../catalog/index.ts';
import { cleanEmail, cleanName, cleanPhone, parseGermanDateTime, speakDate, speakSlot, speakTime, WHEN_MESSAGES, type WhenOk } from '../domain/index.ts';
import type { Appointment, Store } from '../store/index.ts';
import type { NormalizedArgs } from './args.ts';
import { MESSAGES, spokenList } from './messages.ts';
import type { RetellCall } from './payloads.ts';

/** Every function answers with this: `success`, a machine-readable `error`, a German `message`. */
export interface FunctionReply {
  success: boolean;
  error?: string;
  message: string;
  [data: string]: unknown;
}

export interface FunctionContext {
  company: CompanyConfig;
  call: RetellCall;
  functionName: string;
  /** The idempotency key of this call: call id + function + args. */
  commandId: string;
  deadlineMs: number;
  now: () => number;
  booking: BookingService;
  catalog: CatalogIndex;
  store: Store;
  log: Logger;
}

type FunctionHandler = (ctx: FunctionContext, args: NormalizedArgs) => Promise<FunctionReply>;

export const FUNCTIONS: Record<string, FunctionHandler> = {
  list_services: listServices,
  check_customer: checkCustomer,
  check_availability: checkAvailability,
  book_appointment: bookAppointment,
  cancel_appointment: cancelAppointment,
  reschedule_appointment: rescheduleAppointment,
  get_alternatives: getAlternatives,
};

export function commandIdFor(callId: string, functionName: string, args: NormalizedArgs): string {
  const canonical = JSON.stringify(Object.keys(args).sort().map((k) => [k, args[k as keyof NormalizedArgs]]));
  return `${callId}:${functionName}:${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

/** What to say when a booking command refused, by its code. */
const REJECTION_MESSAGES: Record<string, string> = {
  appointment_not_found: MESSAGES.appointment_not_found,
  not_reschedulable: MESSAGES.not_reschedulable,
  start_in_past: WHEN_MESSAGES.time_in_past,
};

const fail = (error: string, message: string, data: Record<string, unknown> = {}): FunctionReply => ({ success: false, error, message, ...data });

async function listServices(ctx: FunctionContext): Promise<FunctionReply> {
  const services = ctx.catalog.servicesOf(ctx.company.id).map((e) => ({
    id: e.service.id,
    name: e.service.name,
    duration_minutes: e.totalMinutes,
    ...(e.service.priceCents !== undefined && { price_eur: e.service.priceCents / 100 }),
  }));
  const spoken = services.map((s) => `${s.name} (${s.duration_minutes} Minuten${s.price_eur !== undefined ? `, ${formatEuro(s.price_eur)}` : ''})`);
  return { success: true, message: MESSAGES.services(spokenList(spoken)), services };
}

async function checkCustomer(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const phone = cleanPhone(args.phone ?? ctx.call.from_number ?? '');
  if (!phone.ok) return fail(phone.code, phone.message);
  const customer = ctx.store.customers.byPhone(ctx.company.id, phone.value);
  if (!customer) return { success: true, message: MESSAGES.new_customer, known: false, phone: phone.value };
  const upcoming = upcomingAppointments(ctx, phone.value);
  const next = upcoming[0];
  const nextText = next ? ` Ihr nächster Termin ist am ${speak(ctx, next.startUtc)} (${serviceName(ctx, next.serviceId)}).` : '';
  return {
    success: true,
    message: MESSAGES.known_customer(customer.name ?? 'schön, dass Sie anrufen', nextText),
    known: true,
    customer: { name: customer.name, phone: customer.phone, email: customer.email },
    upcoming_appointments: upcoming.map((a) => appointmentView(ctx, a)),
  };
}

async function checkAvailability(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  if ('success' in entry) return entry;
  const when = resolveWhen(ctx, args.date, args.time);
  if ('success' in when) return when;
  const zone = ctx.company.timeZone;
  const day = DateTime.fromISO(when.date, { zone });
  const span = when.weekOnly ? { weeks: 1 } : { days: 1 };
  const starts = await ctx.booking.freeStarts(entry, day.toMillis(), day.plus(span).toMillis());

  if (when.start) {
    const at = when.start.toMillis();
    if (starts.includes(at)) return { success: true, available: true, message: MESSAGES.available(speak(ctx, at)), start: iso(at), service: entry.service.id };
    return offerAlternatives(ctx, entry, at, { available: false });
  }
  const inWindow = when.window ? starts.filter(withinWindow(day, when.window)) : starts;
  const free = inWindow.slice(0, 6);
  const dayText = when.weekOnly ? `In der Woche ab ${speakDate(day)}` : `Am ${speakDate(day)}`;
  if (free.length === 0) {
    const fallback = await ctx.booking.alternatives(entry, day.set({ hour: 12 }).toMillis(), 3);
    const list = fallback.map((t) => speak(ctx, t));
    return {
      success: true,
      available: false,
      message: list.length ? `${MESSAGES.no_free_times(dayText)} ${MESSAGES.alternatives(spokenList(list))}` : MESSAGES.no_free_times(dayText),
      free_slots: [],
      alternatives: fallback.map((t) => slotView(ctx, t)),
    };
  }
  const spoken = when.weekOnly ? free.map((t) => speak(ctx, t)) : free.map((t) => speakTime(DateTime.fromMillis(t, { zone })));
  return { success: true, available: true, message: MESSAGES.free_times(dayText, spokenList(spoken)), free_slots: free.map((t) => slotView(ctx, t)) };
}

async function bookAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  if ('success' in entry) return entry;
  const when = resolveWhen(ctx, args.date, args.time);
  if ('success' in when) return when;
  if (!when.start) return fail('missing_time', MESSAGES.missing_time);
  const customer = resolveCustomer(ctx, args);
  if ('success' in customer) return customer;
  const outcome = await ctx.booking.book(
    ctx.commandId,
    { companyId: ctx.company.id, serviceId: entry.service.id, start: iso(when.start.toMillis()), customer, callId: ctx.call.call_id, origin: 'voice' },
    ctx.deadlineMs,
  );
  return bookingReply(ctx, entry, outcome, (when) => MESSAGES.booked(entry.service.name, when));
}

async function cancelAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const found = findAppointment(ctx, args, args.date);
  if ('success' in found) return found;
  const outcome = await ctx.booking.cancel(ctx.commandId, { companyId: ctx.company.id, appointmentId: found.id }, ctx.call.call_id, ctx.deadlineMs);
  switch (outcome.status) {
    case 'cancelled':
      return { success: true, message: MESSAGES.cancelled(speak(ctx, found.startUtc)), appointment_id: found.id };
    case 'rejected':
      return fail(outcome.code, outcome.code === 'already_cancelled' ? MESSAGES.already_cancelled : MESSAGES.appointment_not_found);
    case 'pending':
      return fail('still_processing', MESSAGES.still_processing);
    default:
      return fail(outcome.code, MESSAGES.technical_error);
  }
}

async function rescheduleAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const movingDate = args.newDate ?? args.date;
  const found = findAppointment(ctx, args, args.newDate ? args.date : undefined);
  if ('success' in found) return found;
  const entry = ctx.catalog.service(ctx.company.id, found.serviceId);
  if (!entry) return fail('unknown_service', MESSAGES.appointment_not_found);
  const when = resolveWhen(ctx, movingDate, args.newTime ?? args.time);
  if ('success' in when) return when;
  if (!when.start) return fail('missing_time', MESSAGES.missing_time);
  const outcome = await ctx.booking.reschedule(
    ctx.commandId,
    { companyId: ctx.company.id, appointmentId: found.id, start: iso(when.start.toMillis()), callId: ctx.call.call_id },
    ctx.deadlineMs,
  );
  return bookingReply(ctx, entry, outcome, MESSAGES.rescheduled);
}

async function getAlternatives(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  if ('success' in entry) return entry;
  const when = resolveWhen(ctx, args.date, args.time ?? '12:00');
  if ('success' in when) return when;
  const at = when.start?.toMillis() ?? DateTime.fromISO(`${when.date}T12:00`, { zone: ctx.company.timeZone }).toMillis();
  const starts = await ctx.booking.alternatives(entry, at, 3);
  if (starts.length === 0) return fail('no_alternatives', MESSAGES.taken_no_alternatives, { alternatives: [] });
  return { success: true, message: MESSAGES.alternatives(spokenList(starts.map((t) => speak(ctx, t)))), alternatives: starts.map((t) => slotView(ctx, t)) };
}

// ---------- shared pieces ----------

function bookingReply(ctx: FunctionContext, entry: ServiceEntry, outcome: BookOutcome, success: (when: string) => string): FunctionReply {
  switch (outcome.status) {
    case 'booked': {
      const at = Date.parse(outcome.appointment.start);
      return { success: true, message: success(speak(ctx, at)), appointment_id: outcome.appointment.appointmentId, start: outcome.appointment.start, service: entry.service.id };
    }
    case 'slot_unavailable':
      return alternativesReply(ctx, outcome.alternatives ?? []);
    case 'pending':
      return fail('still_processing', MESSAGES.still_processing);
    case 'rejected':
      return fail(outcome.code, REJECTION_MESSAGES[outcome.code] ?? MESSAGES.not_bookable);
    default:
      return fail(outcome.code, MESSAGES.technical_error);
  }
}

async function offerAlternatives(ctx: FunctionContext, entry: ServiceEntry, at: number, data: Record<string, unknown>): Promise<FunctionReply> {
  const reply = alternativesReply(ctx, await ctx.booking.alternatives(entry, at, 3));
  return { ...reply, ...data, success: true, error: undefined };
}

function alternativesReply(ctx: FunctionContext, starts: number[]): FunctionReply {
  if (starts.length === 0) return fail('slot_no_longer_available', MESSAGES.taken_no_alternatives, { alternatives: [] });
  return fail('slot_no_longer_available', MESSAGES.taken_with_alternatives(spokenList(starts.map((t) => speak(ctx, t)))), {
    alternatives: starts.map((t) => slotView(ctx, t)),
  });
}

function resolveService(ctx: FunctionContext, said: string | undefined): ServiceEntry | FunctionReply {
  const found = said ? ctx.catalog.findService(ctx.company.id, said) : undefined;
  if (found) return found;
  const names = spokenList(ctx.catalog.servicesOf(ctx.company.id).map((e) => e.service.name));
  return said ? fail('unknown_service', MESSAGES.unknown_service(names)) : fail('missing_service', MESSAGES.missing_service(names));
}

function resolveWhen(ctx: FunctionContext, datum: string | undefined, uhrzeit: string | undefined): WhenOk | FunctionReply {
  const when = parseGermanDateTime({ datum: datum ?? null, uhrzeit: uhrzeit ?? null }, { now: ctx.now(), zone: ctx.company.timeZone, businessHours: ctx.company.businessHours });
  return when.ok ? when : fail(when.code, when.message);
}

function resolveCustomer(ctx: FunctionContext, args: NormalizedArgs): { name: string; email: string; phone?: string } | FunctionReply {
  const name = cleanName(args.name);
  if (!name.ok) return fail(name.code, name.message);
  const rawPhone = args.phone ?? ctx.call.from_number ?? undefined;
  const phone = rawPhone ? cleanPhone(rawPhone) : undefined;
  if (phone && !phone.ok && args.phone) return fail(phone.code, phone.message);
  const phoneValue = phone?.ok ? phone.value : undefined;
  const domain = ctx.company.placeholderEmailDomain;
  const digits = (phoneValue ?? ctx.call.call_id).replace(/\D/g, '').slice(-12) || '0';
  const email = cleanEmail(args.email, domain ? { placeholder: { domain, digits } } : {});
  if (!email.ok) return fail(email.code, email.message);
  return { name: name.value, email: email.value, ...(phoneValue && { phone: phoneValue }) };
}

/** The appointment a cancel or reschedule means: by id, or the caller's upcoming one (on a day if said). */
function findAppointment(ctx: FunctionContext, args: NormalizedArgs, onDate: string | undefined): Appointment | FunctionReply {
  if (args.appointmentId) {
    const row = ctx.store.appointments.byId(Number(args.appointmentId));
    if (!row || row.companyId !== ctx.company.id || !/^\d+$/.test(args.appointmentId)) return fail('appointment_not_found', MESSAGES.appointment_not_found);
    return row;
  }
  const phone = cleanPhone(args.phone ?? ctx.call.from_number ?? '');
  if (!phone.ok) return fail(phone.code, phone.message);
  let upcoming = upcomingAppointments(ctx, phone.value);
  if (onDate) {
    const when = resolveWhen(ctx, onDate, undefined);
    if ('success' in when) return when;
    upcoming = upcoming.filter((a) => DateTime.fromMillis(a.startUtc, { zone: ctx.company.timeZone }).toISODate() === when.date);
  }
  if (upcoming.length === 0) return fail('appointment_not_found', MESSAGES.missing_appointment);
  if (upcoming.length > 1) {
    return fail('ambiguous_appointment', MESSAGES.ambiguous_appointment(spokenList(upcoming.map((a) => speak(ctx, a.startUtc)))), {
      appointments: upcoming.map((a) => appointmentView(ctx, a)),
    });
  }
  return upcoming[0]!;
}

/** One entry per appointment (composite services have a row per segment). */
function upcomingAppointments(ctx: FunctionContext, phone: string): Appointment[] {
  const rows = ctx.store.appointments.upcomingForCustomer(ctx.company.id, phone, ctx.now());
  return rows.filter((row) => row.segmentIndex === 0);
}

function appointmentView(ctx: FunctionContext, a: Appointment) {
  return { appointment_id: a.id, service: serviceName(ctx, a.serviceId), start: iso(a.startUtc), spoken: speak(ctx, a.startUtc) };
}

function slotView(ctx: FunctionContext, at: number) {
  return { start: iso(at), spoken: speak(ctx, at) };
}

function serviceName(ctx: FunctionContext, serviceId: string): string {
  return ctx.catalog.service(ctx.company.id, serviceId)?.service.name ?? serviceId;
}

function speak(ctx: FunctionContext, at: number): string {
  return speakSlot(DateTime.fromMillis(at, { zone: ctx.company.timeZone }), { now: ctx.now() });
}

/** A filter for starts in a local HH:mm window of `day` (bounds computed once, not per slot). */
function withinWindow(day: DateTime, window: { from: string; to: string }): (at: number) => boolean {
  const at = (hhmm: string) => day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) }).toMillis();
  const [from, to] = [at(window.from), at(window.to)];
  return (t) => t >= from && t < to;
}

function formatEuro(amount: number): string {
  return Number.isInteger(amount) ? `${amount} Euro` : `${amount.toFixed(2).replace('.', ',')} Euro`;
}

const iso = (ms: number) => new Date(ms).toISOString();
