import { DateTime } from 'luxon';
import { SimHttpError } from './envelope.ts';
import { randomUid, type Rng } from './rng.ts';
import type { AttendeeInput } from './validation.ts';

/*
 * The simulated Cal.com calendar: hosts, event types, weekly hours, bookings and
 * reservations, with Cal.com's rules for what is bookable. Pure state + rules; HTTP,
 * faults and webhooks live elsewhere. Times are epoch ms; days are local to the
 * calendar's time zone (DST-correct through luxon).
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** `HH:mm`–`HH:mm` in the calendar's zone; `24:00` ends at midnight. */
export interface TimeRange {
  start: string;
  end: string;
}
export type WeeklyHours = Partial<Record<Weekday, TimeRange[]>>;

export const DEFAULT_HOURS: WeeklyHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ start: '09:00', end: '18:00' }]]),
);

export interface SimHost {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
}

/**
 * A booking question as Cal.com's event type holds it (API names: `slug`, `type`,
 * `required`, `hidden`), as GET /v2/event-types/{id} lists it
 * (apps/api/v2/src/ee/event-types/event-types_2024_06_14/transformers/internal-to-api/booking-fields.ts).
 */
export interface SimBookingField {
  slug: string;
  type: string;
  required: boolean;
  hidden?: boolean;
  label?: string;
  /** System fields (name, email, location, notes, …) are `isDefault`. */
  isDefault?: boolean;
}

/** An event type location in the API's output form (transformers/internal-to-api/locations.ts). */
export type SimLocation =
  | { type: 'attendeePhone' }
  | { type: 'attendeeAddress' }
  | { type: 'attendeeDefined' }
  | { type: 'address'; address: string; public: boolean }
  | { type: 'phone'; phone: string; public: boolean }
  | { type: 'link'; link: string; public: boolean }
  | { type: 'integration'; integration: string }
  | { type: 'organizersDefaultApp' };

/** Cal.com's default booking questions for an event type that has none configured. */
export const DEFAULT_BOOKING_FIELDS: SimBookingField[] = [
  { slug: 'name', type: 'name', required: true, isDefault: true },
  { slug: 'email', type: 'email', required: true, isDefault: true, hidden: false },
  { slug: 'location', type: 'radioInput', required: false, isDefault: true, hidden: false },
  { slug: 'title', type: 'text', required: true, isDefault: true, hidden: true },
  { slug: 'notes', type: 'textarea', required: false, isDefault: true, hidden: false },
  { slug: 'guests', type: 'multiemail', required: false, isDefault: true, hidden: false },
  { slug: 'rescheduleReason', type: 'textarea', required: false, isDefault: true, hidden: false },
  { slug: 'attendeePhoneNumber', type: 'phone', required: false, isDefault: true, hidden: true },
];

export interface SimEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  /** Booking questions (Cal.com's defaults when not given). */
  bookingFields: SimBookingField[];
  locations: SimLocation[];
  /** Minutes kept free before / after each booking of this type. */
  beforeEventBuffer: number;
  afterEventBuffer: number;
  /** Bookings wait for the host: status pending, BOOKING_REQUESTED instead of BOOKING_CREATED. */
  requiresConfirmation: boolean;
  /** A pending booking blocks its slot (confirmationPolicy.blockUnconfirmedBookingsInBooker). */
  pendingBlocksSlot: boolean;
  disableCancelling: boolean;
  disableRescheduling: boolean;
  /** Max bookings per day (bookingLimitsCount.day); undefined: no limit. */
  maxBookingsPerDay?: number;
  /** The user whose calendar it books into; event types sharing a host collide. */
  hostId: number;
  teamId?: number;
  /** Grid step of slot starts; defaults to the length, as in Cal.com. */
  slotIntervalMinutes?: number;
  minimumBookingNoticeMinutes: number;
  /** Rolling window; undefined means unlimited. */
  bookingWindowDays?: number;
  /** Overrides the calendar's hours for this event type. */
  hours?: WeeklyHours;
}

export type SimBookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export interface SimBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  hostId: number;
  startMs: number;
  endMs: number;
  status: SimBookingStatus;
  attendee: AttendeeInput;
  guests: string[];
  metadata: Record<string, string>;
  bookingFieldsResponses: Record<string, unknown>;
  /** The chosen location as stored (`attendeePhone` etc. resolve to its value). */
  location?: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** `api` when booked through /v2/bookings, `external` when "on the Cal.com page". */
  source: 'api' | 'external';
  cancellationReason?: string;
  reschedulingReason?: string;
  rescheduledBy?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  rejectionReason?: string;
}

export interface SimReservation {
  uid: string;
  eventTypeId: number;
  hostId: number;
  startMs: number;
  endMs: number;
  untilMs: number;
  durationMinutes: number;
}

export interface BookRequest {
  eventTypeId: number;
  startMs: number;
  attendee: AttendeeInput;
  metadata?: Record<string, string>;
  guests?: string[];
  bookingFieldsResponses?: Record<string, unknown>;
  location?: string;
  lengthInMinutes?: number;
  reservedSlotUid?: string;
  source?: 'api' | 'external';
  /** Skip every availability rule (to stage a conflict that Cal.com itself would refuse). */
  force?: boolean;
}

export interface ListFilter {
  eventTypeIds?: number[];
  afterStartMs?: number;
  beforeEndMs?: number;
  attendeeEmail?: string;
  attendeeName?: string;
  bookingUid?: string;
  status?: string[];
  sortStart?: 'asc' | 'desc';
}

export const MSG_PAST = 'Attempting to book a meeting in the past.';
export const MSG_BAD_START =
  'The event type can\'t be booked at the "start" time provided. This could be because it\'s too soon (violating the minimum booking notice) or too far in the future (outside the event\'s scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with "start" time set to one of the returned slots.';
export const MSG_TAKEN = 'User either already has booking at this time or is not available';
export const MSG_TAKEN_TEAM = 'One of the hosts either already has booking at this time or is not available';
/** apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts (refused before handleCancelBooking runs). */
export const msgAlreadyCancelled = (uid: string) =>
  `Can't cancel booking with uid=${uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`;
/** packages/features/bookings/lib/handleCancelBooking.ts */
export const MSG_CANCEL_DISABLED = 'This event type does not allow cancellations';
export const MSG_CANCEL_ENDED = 'Cannot cancel a booking that has already ended';
/** apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts, validateBookingLengthInMinutes */
export const MSG_NOT_MULTI_DURATION =
  "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.";
export const msgReservedBefore = (seconds: number) =>
  `Someone else reserved this booking time slot before you. This time slot will be freed up in ${seconds} seconds.`;

const MINUTE = 60_000;
const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number) => aStart < bEnd && bStart < aEnd;

export interface CalendarOptions {
  timeZone: string;
  hours: WeeklyHours;
  now: () => number;
  rng: Rng;
}

export class SimCalendar {
  timeZone: string;
  hours: WeeklyHours;
  private readonly now: () => number;
  private readonly rng: Rng;
  private readonly hosts = new Map<number, SimHost>();
  private readonly eventTypes = new Map<number, SimEventType>();
  private readonly bookings: SimBooking[] = [];
  private readonly byUid = new Map<string, SimBooking>();
  /** Each host's bookings: the busy check scans one host's, not everyone's. */
  private readonly byHost = new Map<number, SimBooking[]>();
  private readonly reservations = new Map<string, SimReservation>();
  private nextBookingId = 1;

  constructor(options: CalendarOptions) {
    this.timeZone = options.timeZone;
    this.hours = options.hours;
    this.now = options.now;
    this.rng = options.rng;
  }

  // ---------- setup ----------

  upsertHost(host: Partial<SimHost> & { id: number }): SimHost {
    const full: SimHost = {
      name: `Host ${host.id}`,
      email: `host${host.id}@simulator.local`,
      username: `host${host.id}`,
      timeZone: this.timeZone,
      ...this.hosts.get(host.id),
      ...host,
    };
    this.hosts.set(full.id, full);
    return full;
  }

  host(id: number): SimHost {
    return this.hosts.get(id) ?? this.upsertHost({ id });
  }

  /** Ids of host users deleted in Cal.com: their bookings show `hosts[].id` "unknown". */
  readonly deletedHosts = new Set<number>();

  /** How a create that hits someone else's reservation is answered: 409 (newer Cal.com) or 400 (older). */
  reservationConflictStatus: 409 | 400 = 409;

  upsertEventType(et: Pick<SimEventType, 'id' | 'slug' | 'lengthInMinutes'> & Partial<SimEventType>): SimEventType {
    const full: SimEventType = {
      title: et.slug,
      hostId: 1,
      minimumBookingNoticeMinutes: 0,
      bookingFields: DEFAULT_BOOKING_FIELDS.map((f) => ({ ...f })),
      locations: [],
      beforeEventBuffer: 0,
      afterEventBuffer: 0,
      requiresConfirmation: false,
      pendingBlocksSlot: false,
      disableCancelling: false,
      disableRescheduling: false,
      ...et,
    };
    this.host(full.hostId);
    this.eventTypes.set(full.id, full);
    return full;
  }

  eventType(id: number): SimEventType {
    const et = this.eventTypes.get(id);
    if (!et) throw new SimHttpError(404, `Event type with id=${id} not found`);
    return et;
  }

  eventTypeBySlug(slug: string): SimEventType {
    for (const et of this.eventTypes.values()) if (et.slug === slug) return et;
    throw new SimHttpError(404, `Event type with slug=${slug} not found`);
  }

  listEventTypes(): SimEventType[] {
    return [...this.eventTypes.values()];
  }

  /** Clears bookings and reservations; keeps hosts, event types and hours unless `all`. */
  clear(all = false): void {
    this.bookings.length = 0;
    this.byUid.clear();
    this.byHost.clear();
    this.reservations.clear();
    this.nextBookingId = 1;
    if (all) {
      this.eventTypes.clear();
      this.hosts.clear();
    }
  }

  // ---------- availability ----------

  /** Slot starts of one event type in [fromMs, toMs] that can be booked now. */
  availableSlots(eventTypeId: number, fromMs: number, toMs: number, ignoreBookingUid?: string): number[] {
    const et = this.eventType(eventTypeId);
    return this.grid(et, fromMs, toMs).filter(
      (t) => t >= fromMs && t <= toMs && this.timingOk(et, t) && this.conflict(et, t, ignoreBookingUid, undefined) === undefined,
    );
  }

  /** Candidate starts by working hours and interval only, for each local day touching the range. */
  private grid(et: SimEventType, fromMs: number, toMs: number): number[] {
    const hours = et.hours ?? this.hours;
    const step = et.slotIntervalMinutes ?? et.lengthInMinutes;
    const out: number[] = [];
    const lastDay = DateTime.fromMillis(toMs, { zone: this.timeZone }).startOf('day');
    for (let day = DateTime.fromMillis(fromMs, { zone: this.timeZone }).startOf('day'); day <= lastDay; day = day.plus({ days: 1 })) {
      for (const range of hours[WEEKDAYS[day.weekday - 1] as Weekday] ?? []) {
        // Minutes are absolute time, so stepping in ms inside a range is what luxon's plus() does, without its cost.
        const rangeEnd = at(day, range.end).toMillis();
        for (let t = at(day, range.start).toMillis(); t + et.lengthInMinutes * MINUTE <= rangeEnd; t += step * MINUTE) out.push(t);
      }
    }
    return out;
  }

  private timingOk(et: SimEventType, startMs: number): boolean {
    const now = this.now();
    if (startMs < now + et.minimumBookingNoticeMinutes * MINUTE) return false;
    return et.bookingWindowDays === undefined || startMs <= now + et.bookingWindowDays * 24 * 60 * MINUTE;
  }

  /** Does this booking hold its time (and its buffers) for its host? */
  private blocks(b: SimBooking): boolean {
    if (b.status === 'accepted') return true;
    return b.status === 'pending' && (this.eventTypes.get(b.eventTypeId)?.pendingBlocksSlot ?? false);
  }

  /**
   * What stands in the way of [start, start+length) for this host, if anything. Buffers on
   * both sides count: the new booking's before/after buffer and each existing booking's own
   * (packages/features/bookings/lib/handleNewBooking/ensureAvailableUsers.ts uses busy times
   * that include buffers). Reservations count only those of the same event type and only
   * when asked (`withReservations`): a create without `reservedSlotUid` ignores them
   * (handleNewBooking has no such check), slots and reservations see them
   * (apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts).
   */
  private conflict(
    et: SimEventType,
    startMs: number,
    ignoreBookingUid: string | undefined,
    ownReservationUid: string | undefined,
    withReservations = true,
  ): { booking: SimBooking } | { reservation: SimReservation } | { limit: true } | undefined {
    const endMs = startMs + et.lengthInMinutes * MINUTE;
    const from = startMs - et.beforeEventBuffer * MINUTE;
    const to = endMs + et.afterEventBuffer * MINUTE;
    const booking = this.byHost.get(et.hostId)?.find((b) => {
      if (b.uid === ignoreBookingUid || !this.blocks(b)) return false;
      const bt = this.eventTypes.get(b.eventTypeId);
      const bFrom = b.startMs - (bt?.beforeEventBuffer ?? 0) * MINUTE;
      const bTo = b.endMs + (bt?.afterEventBuffer ?? 0) * MINUTE;
      return overlaps(bFrom, bTo, from, to);
    });
    if (booking) return { booking };
    if (et.maxBookingsPerDay !== undefined) {
      const day = DateTime.fromMillis(startMs, { zone: this.timeZone }).toISODate();
      const sameDay = this.bookings.filter(
        (b) => b.eventTypeId === et.id && b.uid !== ignoreBookingUid && b.status !== 'cancelled' && b.status !== 'rejected' &&
          DateTime.fromMillis(b.startMs, { zone: this.timeZone }).toISODate() === day,
      ).length;
      if (sameDay >= et.maxBookingsPerDay) return { limit: true };
    }
    if (!withReservations) return undefined;
    const now = this.now();
    for (const r of this.reservations.values())
      if (r.eventTypeId === et.id && r.untilMs > now && r.uid !== ownReservationUid && overlaps(r.startMs, r.endMs, startMs, endMs))
        return { reservation: r };
    return undefined;
  }

  /**
   * Cal.com's checks, in its order: past → notice/window/working hours → busy (buffers
   * included) → limits → someone's earlier reservation (only for a create carrying a
   * reservation of its own). A start off the slot grid is not refused for that: handleNewBooking
   * checks availability, not the grid.
   */
  private assertBookable(et: SimEventType, startMs: number, ignoreBookingUid?: string, reservedSlotUid?: string): void {
    if (startMs < this.now()) throw new SimHttpError(400, MSG_PAST);
    if (!this.withinHours(et, startMs) || !this.timingOk(et, startMs)) throw new SimHttpError(400, MSG_BAD_START);
    const c = this.conflict(et, startMs, ignoreBookingUid, reservedSlotUid, reservedSlotUid !== undefined);
    if (c && 'booking' in c) throw new SimHttpError(400, et.teamId !== undefined ? MSG_TAKEN_TEAM : MSG_TAKEN);
    // handleNewBooking's checkBookingLimits: HttpError "booking_limit_reached" (status 403 as far as we know).
    if (c && 'limit' in c) throw new SimHttpError(403, 'booking_limit_reached');
    if (c && 'reservation' in c) {
      const seconds = Math.ceil((c.reservation.untilMs - this.now()) / 1000);
      throw new SimHttpError(this.reservationConflictStatus, msgReservedBefore(seconds));
    }
  }

  /** [start, start+length) lies inside one of the day's working-hour ranges. */
  private withinHours(et: SimEventType, startMs: number): boolean {
    const day = DateTime.fromMillis(startMs, { zone: this.timeZone }).startOf('day');
    const endMs = startMs + et.lengthInMinutes * MINUTE;
    const hours = et.hours ?? this.hours;
    return (hours[WEEKDAYS[day.weekday - 1] as Weekday] ?? []).some((r) => at(day, r.start).toMillis() <= startMs && endMs <= at(day, r.end).toMillis());
  }

  // ---------- bookings ----------

  book(req: BookRequest): SimBooking {
    const et = this.eventType(req.eventTypeId);
    // Any lengthInMinutes on a single-duration event type, even its own length (input.service.ts).
    if (req.lengthInMinutes !== undefined) throw new SimHttpError(400, MSG_NOT_MULTI_DURATION);
    if (!req.force) this.assertBookable(et, req.startMs, undefined, req.reservedSlotUid);
    if (req.reservedSlotUid) this.reservations.delete(req.reservedSlotUid);
    return this.insert(et, req.startMs, {
      attendee: req.attendee,
      metadata: req.metadata ?? {},
      guests: req.guests ?? [],
      bookingFieldsResponses: req.bookingFieldsResponses ?? {},
      source: req.source ?? 'api',
      status: et.requiresConfirmation ? 'pending' : 'accepted',
      ...(req.location !== undefined && { location: req.location }),
    });
  }

  private insert(
    et: SimEventType,
    startMs: number,
    rest: Pick<SimBooking, 'attendee' | 'metadata' | 'guests' | 'bookingFieldsResponses' | 'source'> & Partial<SimBooking>,
  ): SimBooking {
    const now = this.now();
    const booking: SimBooking = {
      id: this.nextBookingId++,
      uid: randomUid(this.rng),
      eventTypeId: et.id,
      hostId: et.hostId,
      startMs,
      endMs: startMs + et.lengthInMinutes * MINUTE,
      status: 'accepted',
      createdAtMs: now,
      updatedAtMs: now,
      ...rest,
    };
    this.bookings.push(booking);
    this.byUid.set(booking.uid, booking);
    const hostBookings = this.byHost.get(booking.hostId);
    if (hostBookings) hostBookings.push(booking);
    else this.byHost.set(booking.hostId, [booking]);
    return booking;
  }

  get(uid: string): SimBooking {
    const b = this.byUid.get(uid);
    if (!b) throw new SimHttpError(404, `Booking with uid=${uid} not found`);
    return b;
  }

  /**
   * `byHost`: the host cancels in Cal.com's UI — disabled cancelling does not stop a host
   * (handleCancelBooking lets hosts cancel such bookings).
   */
  cancel(uid: string, reason?: string, byHost = false): SimBooking {
    const b = this.get(uid);
    // Only CANCELLED is refused (input.service.ts, handleCancelBooking.ts): a rejected booking can still be cancelled.
    if (b.status === 'cancelled') throw new SimHttpError(400, msgAlreadyCancelled(uid));
    const et = this.eventTypes.get(b.eventTypeId);
    if (!byHost && et?.disableCancelling) throw new SimHttpError(400, MSG_CANCEL_DISABLED);
    if (!byHost && b.endMs <= this.now()) throw new SimHttpError(400, MSG_CANCEL_ENDED);
    b.status = 'cancelled';
    b.updatedAtMs = this.now();
    if (reason !== undefined) b.cancellationReason = reason;
    return b;
  }

  /** A new booking at the new time (carrying attendee and metadata); the old one is cancelled. */
  reschedule(uid: string, req: { startMs: number; reschedulingReason?: string; rescheduledBy?: string; reservedSlotUid?: string }): { previous: SimBooking; booking: SimBooking } {
    const previous = this.get(uid);
    if (previous.status === 'cancelled') throw new SimHttpError(400, `Booking with uid=${uid} is cancelled and can't be rescheduled.`);
    const et = this.eventType(previous.eventTypeId);
    // Cal.com refuses rescheduling such event types; this text is ours (the API's is not verified).
    if (et.disableRescheduling) throw new SimHttpError(400, 'This event type does not allow rescheduling');
    this.assertBookable(et, req.startMs, previous.uid, req.reservedSlotUid);
    if (req.reservedSlotUid) this.reservations.delete(req.reservedSlotUid);
    const booking = this.insert(et, req.startMs, {
      attendee: previous.attendee,
      metadata: { ...previous.metadata },
      guests: [...previous.guests],
      bookingFieldsResponses: { ...previous.bookingFieldsResponses },
      source: previous.source,
      status: et.requiresConfirmation ? 'pending' : 'accepted',
      ...(previous.location !== undefined && { location: previous.location }),
      rescheduledFromUid: previous.uid,
      ...(req.reschedulingReason !== undefined && { reschedulingReason: req.reschedulingReason }),
      ...(req.rescheduledBy !== undefined && { rescheduledBy: req.rescheduledBy }),
    });
    previous.status = 'cancelled';
    previous.rescheduledToUid = booking.uid;
    previous.updatedAtMs = this.now();
    if (req.reschedulingReason !== undefined) previous.reschedulingReason = req.reschedulingReason;
    return { previous, booking };
  }

  /** The host accepts a pending booking (POST /v2/bookings/{uid}/confirm). */
  confirm(uid: string): SimBooking {
    const b = this.get(uid);
    if (b.status !== 'pending') throw new SimHttpError(400, `Booking with uid=${uid} is not pending`);
    b.status = 'accepted';
    b.updatedAtMs = this.now();
    return b;
  }

  /** The host declines a pending booking (POST /v2/bookings/{uid}/decline). */
  decline(uid: string, reason?: string): SimBooking {
    const b = this.get(uid);
    if (b.status !== 'pending') throw new SimHttpError(400, `Booking with uid=${uid} is not pending`);
    b.status = 'rejected';
    b.updatedAtMs = this.now();
    if (reason !== undefined) b.rejectionReason = reason;
    return b;
  }

  /** GET /v2/bookings semantics: afterStart ≤ start, end ≤ beforeEnd; status groups are OR-ed. */
  list(filter: ListFilter): SimBooking[] {
    const now = this.now();
    const statusMatch = (b: SimBooking, s: string) =>
      (s === 'upcoming' && b.status !== 'cancelled' && b.status !== 'rejected' && b.endMs >= now) ||
      (s === 'past' && b.status !== 'cancelled' && b.status !== 'rejected' && b.endMs < now) ||
      (s === 'cancelled' && (b.status === 'cancelled' || b.status === 'rejected')) ||
      (s === 'unconfirmed' && b.status === 'pending' && b.endMs >= now);
    const email = filter.attendeeEmail?.toLowerCase();
    const out = this.bookings.filter(
      (b) =>
        (!filter.eventTypeIds || filter.eventTypeIds.includes(b.eventTypeId)) &&
        (filter.afterStartMs === undefined || b.startMs >= filter.afterStartMs) &&
        (filter.beforeEndMs === undefined || b.endMs <= filter.beforeEndMs) &&
        (email === undefined || b.attendee.email?.toLowerCase() === email) &&
        (filter.attendeeName === undefined || b.attendee.name.toLowerCase().includes(filter.attendeeName.toLowerCase())) &&
        (filter.bookingUid === undefined || b.uid === filter.bookingUid) &&
        (!filter.status || filter.status.some((s) => statusMatch(b, s))),
    );
    const dir = filter.sortStart === 'desc' ? -1 : 1;
    return out.sort((a, b) => dir * (a.startMs - b.startMs) || a.id - b.id);
  }

  all(): SimBooking[] {
    return [...this.bookings];
  }

  // ---------- reservations ----------

  reserve(req: { eventTypeId: number; slotStartMs: number; slotDuration?: number; reservationDuration?: number }): SimReservation {
    const et = this.eventType(req.eventTypeId);
    if (req.slotDuration !== undefined)
      throw new SimHttpError(400, "You passed 'slotDuration' but this event type is not a variable length event type.");
    // Only bookings and reservations of the same event type count (slots.service.ts:
    // findActiveOverlappingBooking / getOverlappingSlotReservation take the eventTypeId).
    const endMs = req.slotStartMs + et.lengthInMinutes * MINUTE;
    const now = this.now();
    if (this.bookings.some((b) => b.eventTypeId === et.id && (b.status === 'accepted' || b.status === 'pending') && overlaps(b.startMs, b.endMs, req.slotStartMs, endMs)))
      throw new SimHttpError(422, "Can't reserve a slot if the event is already booked.");
    for (const r of this.reservations.values())
      if (r.eventTypeId === et.id && r.untilMs > now && overlaps(r.startMs, r.endMs, req.slotStartMs, endMs))
        throw new SimHttpError(422, 'This time slot is already reserved by another user. Please choose a different time.');
    const durationMinutes = req.reservationDuration ?? 5;
    const reservation: SimReservation = {
      uid: uuidLike(this.rng),
      eventTypeId: et.id,
      hostId: et.hostId,
      startMs: req.slotStartMs,
      endMs: req.slotStartMs + et.lengthInMinutes * MINUTE,
      untilMs: this.now() + durationMinutes * MINUTE,
      durationMinutes,
    };
    this.reservations.set(reservation.uid, reservation);
    return reservation;
  }

  reservation(uid: string): SimReservation | undefined {
    const r = this.reservations.get(uid);
    return r && r.untilMs > this.now() ? r : undefined;
  }

  /** DELETE of a reservation: a `deleteMany`, so an unknown uid is fine too (slots.repository.ts). */
  release(uid: string): void {
    this.reservations.delete(uid);
  }
}

function at(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h === 24 ? day.plus({ days: 1 }) : day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

function uuidLike(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
