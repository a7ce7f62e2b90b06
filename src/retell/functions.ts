import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { BookInput } from '../actors/book.ts';
import type { BookOutcome, BookingService } from '../actors/booking-service.ts';
import type { CatalogIndex, CompanyConfig, ServiceEntry } from '../catalog/index.ts';
import { cleanEmail, cleanName, cleanPhone, DEFAULT_REGION, parseGermanDateTime, publicHoliday, type HolidayRegion, speakDate, speakSlot, speakTime, WHEN_MESSAGES, type WhenOk } from '../domain/index.ts';
import { isLiveAppointment, type Appointment, type Store } from '../store/index.ts';
import type { NormalizedArgs } from './args.ts';
import { MESSAGES, spokenList } from './messages.ts';
import { owns, proves, type Caller } from './access.ts';

/** Every function answers with this: `success`, a machine-readable `error`, a German `message`. */
export interface FunctionReply {
  success: boolean;
  error?: string;
  message: string;
  [data: string]: unknown;
}

export interface FunctionContext {
  company: CompanyConfig;
  /** The Retell call (or, for an args-only request, the request itself). */
  callId: string;
  /** The customer's own number (E.164) from the signed call (direction-aware); none for web calls or withheld ids. */
  customerPhone: string | undefined;
  functionName: string;
  /**
   * The idempotency key: company + call + function + args + the call's last change made by
   * another request. A retry keeps it; the same words after the call's bookings changed do not.
   */
  commandId: string;
  deadlineMs: number;
  /** How many days ahead a booking may be made. */
  horizonDays: number;
  now: () => number;
  booking: BookingService;
  catalog: CatalogIndex;
  store: Store;
  log: Logger;
}

type FunctionHandler = (ctx: FunctionContext, args: NormalizedArgs) => Promise<FunctionReply>;

export const FUNCTIONS: Record<string, FunctionHandler> = {
  list_services: answering(listServices),
  check_customer: answering(checkCustomer),
  check_availability: answering(checkAvailability),
  book_appointment: answering(bookAppointment),
  cancel_appointment: answering(cancelAppointment),
  reschedule_appointment: answering(rescheduleAppointment),
  get_alternatives: answering(getAlternatives),
};

/** Functions that change bookings: their successes count as changes of the call. */
export const CHANGING_FUNCTIONS: ReadonlySet<string> = new Set(['book_appointment', 'cancel_appointment', 'reschedule_appointment']);

/** "Still working": a sentence for the caller, and what the agent should do next. */
export const stillProcessing = (): FunctionReply => ({
  success: false,
  error: 'still_processing',
  message: MESSAGES.still_processing,
  agent_instruction: MESSAGES.still_processing_instruction,
});

/** What to say when a booking command refused, by its code. */
const REJECTION_MESSAGES: Record<string, string> = {
  appointment_not_found: MESSAGES.appointment_not_found,
  not_reschedulable: MESSAGES.not_reschedulable,
  start_in_past: WHEN_MESSAGES.time_in_past,
  being_changed: MESSAGES.being_changed,
  already_cancelled: MESSAGES.already_cancelled,
  cancelling_disabled: MESSAGES.cancelling_disabled,
  booking_ended: MESSAGES.booking_ended,
  invalid_phone: MESSAGES.invalid_phone_calcom,
  unsupported_language: MESSAGES.unsupported_language,
  booking_field_unfillable: MESSAGES.booking_field_unfillable,
};

const fail = (error: string, message: string, data: Record<string, unknown> = {}): FunctionReply => ({ success: false, error, message, ...data });

/** A refusal the caller should hear, raised by the pieces that resolve a function's args; the function answers with it. */
class Refusal extends Error {
  constructor(readonly reply: FunctionReply) {
    super(reply.error);
  }
}
const refuse = (error: string, message: string, data?: Record<string, unknown>): never => {
  throw new Refusal(fail(error, message, data));
};

/** A function whose arg pieces may refuse: the refusal is its answer. */
function answering(fn: FunctionHandler): FunctionHandler {
  return async (ctx, args) => {
    try {
      return await fn(ctx, args);
    } catch (error) {
      if (error instanceof Refusal) return error.reply;
      throw error;
    }
  };
}

/** An outcome no case handles is a compile error where this is called. */
const unreachable = (outcome: never): never => {
  throw new Error(`unhandled outcome ${JSON.stringify(outcome)}`);
};

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
  const phone = callerOwnPhone(ctx, args);
  const customer = await ctx.store.customers.byPhone(ctx.company.id, phone);
  if (!customer) return { success: true, message: MESSAGES.new_customer, known: false, phone };
  const upcoming = await upcomingOf(ctx, phone);
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

/**
 * The number whose data this caller may hear: the one they call from. Another number said in the
 * args reveals nothing (whether or not anybody is known under it); no number at all is asked for.
 */
function callerOwnPhone(ctx: FunctionContext, args: NormalizedArgs): string {
  const own = ctx.customerPhone;
  if (args.phone) {
    const said = cleanPhone(args.phone);
    if (!said.ok) return refuse(said.code, said.message);
    if (own !== said.value) return refuse('not_verifiable', MESSAGES.not_verifiable);
    return said.value;
  }
  return own ?? refuse('phone_required', MESSAGES.phone_required);
}

async function checkAvailability(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  const when = resolveWhen(ctx, args.date, args.time);
  const zone = ctx.company.timeZone;
  const day = DateTime.fromISO(when.date, { zone });
  const span = when.weekOnly ? { weeks: 1 } : { days: when.days ?? 1 };
  const starts = openDays(ctx, await ctx.booking.freeStarts(entry, day.toMillis(), day.plus(span).toMillis()));

  if (when.start) {
    const at = when.start.toMillis();
    if (starts.includes(at)) return { success: true, available: true, message: MESSAGES.available(speak(ctx, at)), start: iso(at), service: entry.service.id };
    return offerAlternatives(ctx, entry, at, { available: false });
  }
  const inWindow = when.window ? starts.filter(withinWindow(day, when.window)) : starts;
  const free = inWindow.slice(0, 6);
  const severalDays = when.weekOnly || (when.days ?? 1) > 1;
  const dayText = when.weekOnly ? `In der Woche ab ${speakDate(day)}` : severalDays ? `Ab ${speakDate(day)}` : `Am ${speakDate(day)}`;
  if (free.length === 0) {
    const fallback = openDays(ctx, await ctx.booking.alternatives(entry, day.set({ hour: 12 }).toMillis(), 3));
    const list = fallback.map((t) => speak(ctx, t));
    return {
      success: true,
      available: false,
      message: list.length ? `${MESSAGES.no_free_times(dayText)} ${MESSAGES.alternatives(spokenList(list))}` : MESSAGES.no_free_times(dayText),
      free_slots: [],
      alternatives: fallback.map((t) => slotView(ctx, t)),
    };
  }
  const spoken = severalDays ? free.map((t) => speak(ctx, t)) : free.map((t) => speakTime(DateTime.fromMillis(t, { zone })));
  return { success: true, available: true, message: MESSAGES.free_times(dayText, spokenList(spoken)), free_slots: free.map((t) => slotView(ctx, t)) };
}

async function bookAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  const when = resolveWhen(ctx, args.date, args.time);
  if (!when.start) return fail('missing_time', MESSAGES.missing_time);
  const customer = resolveCustomer(ctx, args);
  const outcome = await ctx.booking.book(
    ctx.commandId,
    { companyId: ctx.company.id, serviceId: entry.service.id, start: iso(when.start.toMillis()), customer, callId: ctx.callId, origin: 'voice' },
    ctx.deadlineMs,
  );
  return await bookingReply(ctx, entry, outcome, (when) => MESSAGES.booked(entry.service.name, when));
}

async function cancelAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const found = await findAppointment(ctx, args, args.appointmentDate ?? args.date);
  const outcome = await ctx.booking.cancel(ctx.commandId, { companyId: ctx.company.id, appointmentId: found.id }, ctx.callId, ctx.deadlineMs);
  switch (outcome.status) {
    case 'cancelled': {
      // A repeated command answers from its first run: say "storniert" only while that is still so.
      const now = await ctx.store.appointments.byId(found.id);
      if (now && now.status !== 'cancelled') return fail('appointment_changed', MESSAGES.changed_since);
      return { success: true, message: MESSAGES.cancelled(speak(ctx, found.startUtc)), appointment_id: found.id };
    }
    case 'rejected':
      return fail(outcome.code, REJECTION_MESSAGES[outcome.code] ?? MESSAGES.appointment_not_found);
    case 'pending':
      return stillProcessing();
    case 'error':
      return fail(outcome.code, MESSAGES.technical_error);
    default:
      return unreachable(outcome);
  }
}

async function rescheduleAppointment(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  // "neues_datum" names the new day; without it, "datum" does (and the old day may come as "termin_datum").
  const movingDate = args.newDate ?? args.date;
  const found = await findAppointment(ctx, args, args.appointmentDate ?? (args.newDate ? args.date : undefined));
  const entry = ctx.catalog.service(ctx.company.id, found.serviceId);
  if (!entry) return fail('unknown_service', MESSAGES.appointment_not_found);
  const when = resolveWhen(ctx, movingDate, args.newTime ?? args.time);
  if (!when.start) return fail('missing_time', MESSAGES.missing_time);
  const outcome = await ctx.booking.reschedule(
    ctx.commandId,
    { companyId: ctx.company.id, appointmentId: found.id, start: iso(when.start.toMillis()), callId: ctx.callId },
    ctx.deadlineMs,
  );
  return await bookingReply(ctx, entry, outcome, MESSAGES.rescheduled);
}

async function getAlternatives(ctx: FunctionContext, args: NormalizedArgs): Promise<FunctionReply> {
  const entry = resolveService(ctx, args.service);
  const when = resolveWhen(ctx, args.date, args.time ?? '12:00');
  const at = when.start?.toMillis() ?? DateTime.fromISO(`${when.date}T12:00`, { zone: ctx.company.timeZone }).toMillis();
  const starts = openDays(ctx, await ctx.booking.alternatives(entry, at, 3));
  if (starts.length === 0) return fail('no_alternatives', MESSAGES.taken_no_alternatives, { alternatives: [] });
  return { success: true, message: MESSAGES.alternatives(spokenList(starts.map((t) => speak(ctx, t)))), alternatives: starts.map((t) => slotView(ctx, t)) };
}

// ---------- shared pieces ----------

async function bookingReply(ctx: FunctionContext, entry: ServiceEntry, outcome: BookOutcome, success: (when: string) => string): Promise<FunctionReply> {
  switch (outcome.status) {
    case 'booked': {
      // A repeated command answers from its first run; confirm only what the store still holds.
      const id = outcome.appointment.appointmentId;
      const now = await ctx.store.appointments.byId(id);
      if (!now || !isLiveAppointment(now) || now.startUtc !== Date.parse(outcome.appointment.start)) return await changedSince(ctx, id);
      const at = Date.parse(outcome.appointment.start);
      const view = { appointment_id: id, start: outcome.appointment.start, service: entry.service.id };
      // Requires confirmation: true to say it is requested, not that it is booked.
      if (now.awaitingConfirmation) return { success: true, status: 'requested', message: MESSAGES.requested(entry.service.name, speak(ctx, at)), ...view };
      return { success: true, message: success(speak(ctx, at)), ...view };
    }
    case 'slot_unavailable':
      return alternativesReply(ctx, openDays(ctx, outcome.alternatives ?? []));
    case 'pending':
      return stillProcessing();
    case 'rejected':
      return fail(outcome.code, REJECTION_MESSAGES[outcome.code] ?? MESSAGES.not_bookable);
    case 'error':
      return fail(outcome.code, MESSAGES.technical_error);
    default:
      return unreachable(outcome);
  }
}

/** The truth about an appointment a stored answer called booked: moved (and where) or cancelled since. */
async function changedSince(ctx: FunctionContext, id: number): Promise<FunctionReply> {
  const current = await ctx.store.appointments.current(id);
  if (current && current.id !== id && isLiveAppointment(current)) {
    return fail('appointment_moved', MESSAGES.moved_since(speak(ctx, current.startUtc)), { appointment_id: current.id, start: iso(current.startUtc) });
  }
  return fail('appointment_changed', MESSAGES.changed_since);
}

async function offerAlternatives(ctx: FunctionContext, entry: ServiceEntry, at: number, data: Record<string, unknown>): Promise<FunctionReply> {
  const reply = alternativesReply(ctx, openDays(ctx, await ctx.booking.alternatives(entry, at, 3)));
  return { ...reply, ...data, success: true, error: undefined };
}

function alternativesReply(ctx: FunctionContext, starts: number[]): FunctionReply {
  if (starts.length === 0) return fail('slot_no_longer_available', MESSAGES.taken_no_alternatives, { alternatives: [] });
  return fail('slot_no_longer_available', MESSAGES.taken_with_alternatives(spokenList(starts.map((t) => speak(ctx, t)))), {
    alternatives: starts.map((t) => slotView(ctx, t)),
  });
}

function resolveService(ctx: FunctionContext, said: string | undefined): ServiceEntry {
  const found = said ? ctx.catalog.findService(ctx.company.id, said) : undefined;
  if (found) return found;
  const names = spokenList(ctx.catalog.servicesOf(ctx.company.id).map((e) => e.service.name));
  return said ? refuse('unknown_service', MESSAGES.unknown_service(names)) : refuse('missing_service', MESSAGES.missing_service(names));
}

/** A day the caller wants to come (a holiday of the salon's region is refused as closed). */
function resolveWhen(ctx: FunctionContext, datum: string | undefined, uhrzeit: string | undefined): WhenOk {
  const when = parseGermanDateTime(
    { datum: datum ?? null, uhrzeit: uhrzeit ?? null },
    { now: ctx.now(), zone: ctx.company.timeZone, businessHours: ctx.company.businessHours, region: regionOf(ctx) },
  );
  if (!when.ok) return refuse(when.code, when.message);
  const horizon = DateTime.fromMillis(ctx.now(), { zone: ctx.company.timeZone }).plus({ days: ctx.horizonDays }).toISODate()!;
  if (when.date > horizon) return refuse('beyond_horizon', MESSAGES.beyond_horizon);
  return when;
}

function resolveCustomer(ctx: FunctionContext, args: NormalizedArgs): BookInput['customer'] {
  const name = cleanName(args.name);
  if (!name.ok) return refuse(name.code, name.message);
  const own = ctx.customerPhone;
  const said = args.phone ? cleanPhone(args.phone) : undefined;
  if (said && !said.ok) return refuse(said.code, said.message);
  const phone = said?.ok ? said.value : own;
  const domain = ctx.company.placeholderEmailDomain;
  const digits = (phone ?? ctx.callId).replace(/\D/g, '').slice(-12) || '0';
  const email = cleanEmail(args.email, domain ? { placeholder: { domain, digits } } : {});
  if (!email.ok) return refuse(email.code, email.message);
  // Only the number the call comes from may update what is stored about its customer.
  const verified = !!phone && own === phone;
  return { name: name.value, email: email.value, ...(phone && { phone, phoneVerified: verified }) };
}

/**
 * The appointment a cancel or reschedule means — only one this caller may act on: under the
 * number they call from or made in this call; anything else needs the name on it and its day.
 * Until then the answer is the same whether or not such an appointment exists.
 */
async function findAppointment(ctx: FunctionContext, args: NormalizedArgs, onDate: string | undefined): Promise<Appointment> {
  const caller: Caller = { callId: ctx.callId, ...(ctx.customerPhone && { phone: ctx.customerPhone }) };
  const day = onDate ? resolveDay(ctx, onDate) : undefined;
  const proof = { name: args.name, day };
  const zone = ctx.company.timeZone;
  // One answer whether or not anything exists: asking for proof, or saying the proof did not fit.
  const unproven = () => refuse('verification_required', proof.name && proof.day ? MESSAGES.proof_mismatch : MESSAGES.verification_required);

  if (args.appointmentId) {
    const id = /^\d{1,12}$/.test(args.appointmentId) ? Number(args.appointmentId) : NaN;
    // The reference the caller was given follows the appointment through reschedules.
    const row = Number.isFinite(id) ? await ctx.store.appointments.current(id) : undefined;
    const ours = row && row.companyId === ctx.company.id && row.segmentIndex === 0 ? row : undefined;
    if (ours && (owns(caller, ours) || proves(proof, ours, zone))) {
      // The same request again (Retell's retry) is answered as the first time; anything else is told the truth.
      if (!isLiveAppointment(ours) && !(await ctx.booking.alreadySent(ctx.commandId, ctx.company.id, ours.id))) return refuse('already_cancelled', MESSAGES.already_cancelled);
      return ours;
    }
    return unproven();
  }

  const said = args.phone ? cleanPhone(args.phone) : undefined;
  if (said && !said.ok) return refuse(said.code, said.message);
  if (said?.ok && said.value !== caller.phone) {
    // Another number than the one calling: only proof of knowledge opens its appointments.
    const proven = (await upcomingOf(ctx, said.value)).filter((a) => proves(proof, a, zone));
    if (proven.length === 1) return proven[0]!;
    return unproven();
  }
  if (!caller.phone && (await ctx.store.appointments.upcomingForCall(ctx.company.id, ctx.callId, ctx.now())).length === 0) {
    return refuse('phone_required', MESSAGES.phone_required_for_appointment);
  }
  let upcoming = await upcomingOf(ctx, caller.phone);
  if (day) upcoming = upcoming.filter((a) => DateTime.fromMillis(a.startUtc, { zone }).toISODate() === day);
  if (upcoming.length === 0) return refuse('appointment_not_found', MESSAGES.missing_appointment);
  if (upcoming.length > 1) {
    return refuse('ambiguous_appointment', MESSAGES.ambiguous_appointment(spokenList(upcoming.map((a) => speak(ctx, a.startUtc)))), {
      appointments: upcoming.map((a) => appointmentView(ctx, a)),
    });
  }
  return upcoming[0]!;
}

const regionOf = (ctx: FunctionContext): HolidayRegion => ctx.company.holidays ?? DEFAULT_REGION;

/** Starts not on a public holiday of the salon's region (weeks, periods and alternatives span several days). */
function openDays(ctx: FunctionContext, starts: number[]): number[] {
  const region = regionOf(ctx);
  return starts.filter((t) => !publicHoliday(DateTime.fromMillis(t, { zone: ctx.company.timeZone }).toISODate()!, region));
}

/** A said day ("Freitag", "12.12.") as "YYYY-MM-DD", for matching an existing appointment. */
function resolveDay(ctx: FunctionContext, said: string): string {
  const when = parseGermanDateTime({ datum: said, uhrzeit: null }, { now: ctx.now(), zone: ctx.company.timeZone, businessHours: ctx.company.businessHours });
  return when.ok ? when.date : refuse(when.code, when.message);
}

/** The caller's upcoming appointments: under their number and made in this call, one entry each. */
async function upcomingOf(ctx: FunctionContext, phone: string | undefined): Promise<Appointment[]> {
  const [byPhone, thisCall] = await Promise.all([
    phone ? ctx.store.appointments.upcomingForCustomer(ctx.company.id, phone, ctx.now()) : [],
    ctx.store.appointments.upcomingForCall(ctx.company.id, ctx.callId, ctx.now()),
  ]);
  const seen = new Set<number>();
  return [...byPhone, ...thisCall]
    .filter((row) => row.segmentIndex === 0 && !seen.has(row.id) && seen.add(row.id))
    .sort((a, b) => a.startUtc - b.startUtc);
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
