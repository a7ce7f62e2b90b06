import type { IncomingHttpHeaders } from 'node:http';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../domain/zone-offsets.ts';
import type { ListFilter } from './calendar.ts';
import { SimHttpError, successBody } from './envelope.ts';
import type { SimOperation } from './operations.ts';
import type { SimState } from './state.ts';
import {
  refuseLegacyCreate,
  validateCancelBody,
  validateCreateBody,
  validateRescheduleBody,
  validateReserveBody,
} from './validation.ts';
import { bookingLocationText, validateBookingResponses } from './booking-fields.ts';
import { apiBooking, apiEventType, apiReservation } from './views.ts';


export interface ApiRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

type Handler = (state: SimState, req: ApiRequest, params: string[]) => ApiResponse;

interface Route {
  method: string;
  pattern: RegExp;
  operation: SimOperation;
  handle: Handler;
}

const BOOKING_VERSIONS = new Set(['2024-08-13', '2026-02-25']);
const LEGACY_SLOT_VERSIONS = new Set(['2024-04-15', '2024-06-11', '2024-06-14', '2024-08-13']);

const version = (req: ApiRequest) => String(req.headers['cal-api-version'] ?? '');
const notFoundRoute = (req: ApiRequest) => new SimHttpError(404, `Cannot ${req.method} ${req.pathname}`);

/** With a key configured, a wrong key is refused everywhere; `required` also refuses none. */
function authorize(state: SimState, req: ApiRequest, required: boolean): void {
  const header = req.headers.authorization;
  if (!header) {
    if (required) throw new SimHttpError(401, 'No authentication method provided. Either pass an API key as \'Bearer\' header or OAuth client credentials as \'x-cal-secret-key\' and \'x-cal-client-id\' headers');
    return;
  }
  if (state.apiKey !== undefined && header !== `Bearer ${state.apiKey}`) throw new SimHttpError(401, 'Invalid API Key');
}

/**
 * Slot query dates, read as UTC; an `end` at exactly 00:00:00 (date-only or not) becomes
 * 23:59:59 of that day (adjustEndTime in apps/api/v2/src/modules/slots/slots-2024-09-04/
 * services/slots-input.service.ts).
 */
function queryInstant(value: string | null, name: string, endOfDay: boolean): number {
  if (!value) throw new SimHttpError(400, `${name} must be a valid ISO 8601 date string`);
  let dt = DateTime.fromISO(value, { zone: 'utc' });
  if (!dt.isValid) throw new SimHttpError(400, `${name} must be a valid ISO 8601 date string`);
  if (endOfDay && dt.hour === 0 && dt.minute === 0 && dt.second === 0) dt = dt.set({ hour: 23, minute: 59, second: 59 });
  return dt.toMillis();
}

function resolveEventTypeId(state: SimState, query: URLSearchParams): number {
  const id = query.get('eventTypeId');
  if (id !== null) {
    if (!/^\d+$/.test(id)) throw new SimHttpError(400, 'eventTypeId must be an integer number');
    return state.calendar.eventType(Number(id)).id;
  }
  const slug = query.get('eventTypeSlug');
  if (slug) return state.calendar.eventTypeBySlug(slug).id;
  throw new SimHttpError(400, 'Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided');
}

const getSlots: Handler = (state, req) => {
  if (version(req) !== '2024-09-04') throw notFoundRoute(req);
  const q = req.query;
  const fromMs = queryInstant(q.get('start'), 'start', false);
  const toMs = queryInstant(q.get('end'), 'end', true);
  if (fromMs > toMs) throw new SimHttpError(400, "Invalid time range given - check the 'start' and 'end' query parameters.");
  const zone = q.get('timeZone') ?? 'UTC';
  if (!isValidTimeZone(zone)) throw new SimHttpError(400, 'timeZone must be a valid IANA time zone');
  const eventTypeId = resolveEventTypeId(state, q);
  const length = state.calendar.eventType(eventTypeId).lengthInMinutes;
  const starts = state.calendar.availableSlots(eventTypeId, fromMs, toMs, q.get('bookingUidToReschedule') ?? undefined);
  const byDate: Record<string, Array<{ start: string; end?: string }>> = {};
  for (const t of starts) {
    const dt = DateTime.fromMillis(t, { zone });
    const slot = { start: dt.toISO() as string, ...(q.get('format') === 'range' && { end: dt.plus({ minutes: length }).toISO() as string }) };
    (byDate[dt.toISODate() as string] ??= []).push(slot);
  }
  return { status: 200, body: successBody(byDate) };
};

/** The pre-2024-09-04 slots route, kept so a client with the wrong header sees the legacy shape. */
const getLegacySlots: Handler = (state, req) => {
  if (version(req) && !LEGACY_SLOT_VERSIONS.has(version(req))) throw notFoundRoute(req);
  const q = req.query;
  const fromMs = queryInstant(q.get('startTime'), 'startTime', false);
  const toMs = queryInstant(q.get('endTime'), 'endTime', true);
  const eventTypeId = resolveEventTypeId(state, q);
  const zone = q.get('timeZone') ?? 'UTC';
  const slots: Record<string, Array<{ time: string }>> = {};
  for (const t of state.calendar.availableSlots(eventTypeId, fromMs, toMs)) {
    const dt = DateTime.fromMillis(t, { zone: isValidTimeZone(zone) ? zone : 'UTC' });
    (slots[dt.toISODate() as string] ??= []).push({ time: dt.toISO() as string });
  }
  return { status: 200, body: successBody({ slots }) };
};

function requireSlotsVersion(req: ApiRequest): void {
  if (version(req) !== '2024-09-04') throw notFoundRoute(req);
}

const reserveSlot: Handler = (state, req) => {
  requireSlotsVersion(req);
  const input = validateReserveBody(req.body);
  if (input.reservationDuration !== undefined) authorize(state, req, true);
  return { status: 201, body: successBody(apiReservation(state.calendar.reserve(input))) };
};

const getReservation: Handler = (state, req, [uid]) => {
  requireSlotsVersion(req);
  const r = state.calendar.reservation(uid as string);
  return { status: 200, body: successBody(r ? apiReservation(r) : null) };
};

const releaseReservation: Handler = (state, req, [uid]) => {
  requireSlotsVersion(req);
  state.calendar.release(uid as string);
  return { status: 200, body: { status: 'success' } };
};

/** Bookings routes exist in 2024-08-13 (and 2026-02-25); anything else is the legacy controller. */
function requireBookingsVersion(req: ApiRequest): void {
  if (BOOKING_VERSIONS.has(version(req))) return;
  if (req.method === 'POST' && req.pathname === '/v2/bookings') refuseLegacyCreate(req.body);
  throw new SimHttpError(400, 'Legacy booking API (cal-api-version missing or not 2024-08-13) is not simulated: send cal-api-version 2024-08-13');
}

const createBooking: Handler = (state, req) => {
  requireBookingsVersion(req);
  authorize(state, req, false);
  const input = validateCreateBody(req.body, { acceptsReservedSlotUid: state.acceptsReservedSlotUid });
  const et = input.eventTypeId !== undefined ? state.calendar.eventType(input.eventTypeId) : state.calendar.eventTypeBySlug(input.eventTypeSlug as string);
  validateBookingResponses(et, input);
  const { location, ...rest } = input;
  const where = bookingLocationText(et, location);
  const booking = state.createBooking({ ...rest, eventTypeId: et.id, source: 'api', ...(where !== undefined && { location: where }) });
  return { status: 201, body: successBody(apiBooking(state.calendar, booking)) };
};

/** GET /v2/event-types/{id}: cal-api-version 2024-06-14, API key required (EventTypeOutput_2024_06_14). */
const getEventType: Handler = (state, req, [id]) => {
  if (version(req) !== '2024-06-14') throw notFoundRoute(req);
  authorize(state, req, true);
  if (!/^\d+$/.test(id as string)) throw new SimHttpError(400, 'Validation failed (numeric string is expected)');
  const et = state.calendar.eventType(Number(id));
  return { status: 200, body: successBody(apiEventType(state.calendar, et)) };
};

/** POST /v2/bookings/{uid}/confirm: the host accepts a pending booking (BOOKING_CREATED follows). */
const confirmBooking: Handler = (state, req, [uid]) => {
  requireBookingsVersion(req);
  authorize(state, req, true);
  return { status: 200, body: successBody(apiBooking(state.calendar, state.confirmBooking(uid as string))) };
};

/** POST /v2/bookings/{uid}/decline: the host rejects a pending booking (BOOKING_REJECTED follows). */
const declineBooking: Handler = (state, req, [uid]) => {
  requireBookingsVersion(req);
  authorize(state, req, true);
  const reason = (req.body as { reason?: unknown } | undefined)?.reason;
  return { status: 200, body: successBody(apiBooking(state.calendar, state.declineBooking(uid as string, typeof reason === 'string' ? reason : undefined))) };
};

const getBooking: Handler = (state, req, [uid]) => {
  requireBookingsVersion(req);
  authorize(state, req, false);
  return { status: 200, body: successBody(apiBooking(state.calendar, state.calendar.get(uid as string))) };
};

const STATUSES = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'];

function listFilter(q: URLSearchParams): { filter: ListFilter; take: number; skip: number } {
  const int = (name: string, min: number, max: number, dflt: number) => {
    const v = q.get(name);
    if (v === null) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new SimHttpError(400, `${name} must not be less than ${min} and not greater than ${max}`);
    return n;
  };
  const instant = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    const dt = DateTime.fromISO(v, { zone: 'utc' });
    if (!dt.isValid) throw new SimHttpError(400, `${name} must be a valid ISO 8601 date.`);
    return dt.toMillis();
  };
  const ids = [q.get('eventTypeId'), ...(q.get('eventTypeIds')?.split(',') ?? [])].filter((v): v is string => !!v).map(Number);
  if (ids.some((n) => !Number.isInteger(n))) throw new SimHttpError(400, 'eventTypeId must be an integer number');
  const status = q.get('status')?.split(',').map((s) => s.trim());
  if (status?.some((s) => !STATUSES.includes(s))) throw new SimHttpError(400, `Invalid status. Allowed are ${STATUSES.join(', ')}`);
  const sortStart = q.get('sortStart');
  if (sortStart !== null && sortStart !== 'asc' && sortStart !== 'desc') throw new SimHttpError(400, 'SortStart must be either "asc" or "desc".');
  const afterStartMs = instant('afterStart');
  const beforeEndMs = instant('beforeEnd');
  const filter: ListFilter = {
    ...(ids.length && { eventTypeIds: ids }),
    ...(afterStartMs !== undefined && { afterStartMs }),
    ...(beforeEndMs !== undefined && { beforeEndMs }),
    ...(q.get('attendeeEmail') && { attendeeEmail: q.get('attendeeEmail') as string }),
    ...(q.get('attendeeName') && { attendeeName: q.get('attendeeName') as string }),
    ...(q.get('bookingUid') && { bookingUid: q.get('bookingUid') as string }),
    ...(status && { status }),
    ...(sortStart && { sortStart }),
  };
  return { filter, take: int('take', 1, 250, 100), skip: int('skip', 0, Number.MAX_SAFE_INTEGER, 0) };
}

const listBookings: Handler = (state, req) => {
  requireBookingsVersion(req);
  authorize(state, req, true);
  const { filter, take, skip } = listFilter(req.query);
  const all = state.calendar.list(filter);
  const page = all.slice(skip, skip + take);
  const totalPages = Math.ceil(all.length / take);
  return {
    status: 200,
    body: successBody(
      page.map((b) => apiBooking(state.calendar, b)),
      {
        pagination: {
          totalItems: all.length,
          remainingItems: Math.max(0, all.length - (skip + take)),
          returnedItems: page.length,
          itemsPerPage: take,
          currentPage: Math.floor(skip / take) + 1,
          totalPages,
          hasNextPage: skip + take < all.length,
          hasPreviousPage: skip > 0,
        },
      },
    ),
  };
};

const cancelBooking: Handler = (state, req, [uid]) => {
  requireBookingsVersion(req);
  authorize(state, req, false);
  const { cancellationReason } = validateCancelBody(req.body);
  return { status: 200, body: successBody(apiBooking(state.calendar, state.cancelBooking(uid as string, cancellationReason))) };
};

const rescheduleBooking: Handler = (state, req, [uid]) => {
  requireBookingsVersion(req);
  authorize(state, req, false);
  const input = validateRescheduleBody(req.body);
  const { booking } = state.rescheduleBooking(uid as string, input);
  return { status: 201, body: successBody(apiBooking(state.calendar, booking)) };
};

const UID = '([^/]+)';
const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/v2\/slots$/, operation: 'slots', handle: getSlots },
  { method: 'GET', pattern: /^\/v2\/slots\/available$/, operation: 'slots', handle: getLegacySlots },
  { method: 'POST', pattern: /^\/v2\/slots\/reservations$/, operation: 'reserve_slot', handle: reserveSlot },
  { method: 'GET', pattern: new RegExp(`^/v2/slots/reservations/${UID}$`), operation: 'get_reservation', handle: getReservation },
  { method: 'DELETE', pattern: new RegExp(`^/v2/slots/reservations/${UID}$`), operation: 'release_reservation', handle: releaseReservation },
  { method: 'POST', pattern: /^\/v2\/bookings$/, operation: 'create_booking', handle: createBooking },
  { method: 'GET', pattern: /^\/v2\/bookings$/, operation: 'list_bookings', handle: listBookings },
  { method: 'GET', pattern: new RegExp(`^/v2/bookings/${UID}$`), operation: 'get_booking', handle: getBooking },
  { method: 'POST', pattern: new RegExp(`^/v2/bookings/${UID}/cancel$`), operation: 'cancel_booking', handle: cancelBooking },
  { method: 'POST', pattern: new RegExp(`^/v2/bookings/${UID}/reschedule$`), operation: 'reschedule_booking', handle: rescheduleBooking },
  { method: 'POST', pattern: new RegExp(`^/v2/bookings/${UID}/confirm$`), operation: 'confirm_booking', handle: confirmBooking },
  { method: 'POST', pattern: new RegExp(`^/v2/bookings/${UID}/decline$`), operation: 'decline_booking', handle: declineBooking },
  { method: 'GET', pattern: new RegExp(`^/v2/event-types/${UID}$`), operation: 'get_event_type', handle: getEventType },
];

export interface RouteMatch {
  operation: SimOperation;
  run(state: SimState, req: ApiRequest): ApiResponse;
}

export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (m) {
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      return { operation: route.operation, run: (state, req) => route.handle(state, req, params) };
    }
  }
  return undefined;
}
