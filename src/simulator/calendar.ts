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

export interface SimEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
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

export type SimBookingStatus = 'accepted' | 'cancelled';

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
  createdAtMs: number;
  updatedAtMs: number;
  /** `api` when booked through /v2/bookings, `external` when "on the Cal.com page". */
  source: 'api' | 'external';
  cancellationReason?: string;
  reschedulingReason?: string;
  rescheduledBy?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
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

  upsertEventType(et: Omit<SimEventType, 'title' | 'hostId' | 'minimumBookingNoticeMinutes'> & Partial<SimEventType>): SimEventType {
    const full: SimEventType = { title: et.slug, hostId: 1, minimumBookingNoticeMinutes: 0, ...et };
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

  /** What stands in the way of [start, start+length) for this host, if anything. */
  private conflict(
    et: SimEventType,
    startMs: number,
    ignoreBookingUid: string | undefined,
    ownReservationUid: string | undefined,
  ): { booking: SimBooking } | { reservation: SimReservation } | undefined {
    const endMs = startMs + et.lengthInMinutes * MINUTE;
    const booking = this.byHost.get(et.hostId)?.find(
      (b) => b.status !== 'cancelled' && b.uid !== ignoreBookingUid && overlaps(b.startMs, b.endMs, startMs, endMs),
    );
    if (booking) return { booking };
    const now = this.now();
    for (const r of this.reservations.values())
      if (r.hostId === et.hostId && r.untilMs > now && r.uid !== ownReservationUid && overlaps(r.startMs, r.endMs, startMs, endMs))
        return { reservation: r };
    return undefined;
  }

  /** Cal.com's checks, in its order: past → grid/notice/window → busy → someone's reservation. */
  private assertBookable(et: SimEventType, startMs: number, ignoreBookingUid?: string, reservedSlotUid?: string): void {
    if (startMs < this.now()) throw new SimHttpError(400, MSG_PAST);
    const onGrid = this.grid(et, startMs, startMs).includes(startMs);
    if (!onGrid || !this.timingOk(et, startMs)) throw new SimHttpError(400, MSG_BAD_START);
    const c = this.conflict(et, startMs, ignoreBookingUid, reservedSlotUid);
    if (c && 'booking' in c) throw new SimHttpError(400, et.teamId !== undefined ? MSG_TAKEN_TEAM : MSG_TAKEN);
    if (c && 'reservation' in c) {
      const seconds = Math.ceil((c.reservation.untilMs - this.now()) / 1000);
      throw new SimHttpError(409, `Someone else reserved this booking time slot before you. This time slot will be freed up in ${seconds} seconds.`);
    }
  }

  // ---------- bookings ----------

  book(req: BookRequest): SimBooking {
    const et = this.eventType(req.eventTypeId);
    if (req.lengthInMinutes !== undefined && req.lengthInMinutes !== et.lengthInMinutes)
      throw new SimHttpError(400, `Can't specify 'lengthInMinutes' because event type with id=${et.id} is not multi-duration`);
    if (!req.force) this.assertBookable(et, req.startMs, undefined, req.reservedSlotUid);
    if (req.reservedSlotUid) this.reservations.delete(req.reservedSlotUid);
    return this.insert(et, req.startMs, {
      attendee: req.attendee,
      metadata: req.metadata ?? {},
      guests: req.guests ?? [],
      bookingFieldsResponses: req.bookingFieldsResponses ?? {},
      source: req.source ?? 'api',
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

  cancel(uid: string, reason?: string): SimBooking {
    const b = this.get(uid);
    if (b.status === 'cancelled') throw new SimHttpError(400, 'This booking has already been cancelled.');
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
    this.assertBookable(et, req.startMs, previous.uid, req.reservedSlotUid);
    if (req.reservedSlotUid) this.reservations.delete(req.reservedSlotUid);
    const booking = this.insert(et, req.startMs, {
      attendee: previous.attendee,
      metadata: { ...previous.metadata },
      guests: [...previous.guests],
      bookingFieldsResponses: { ...previous.bookingFieldsResponses },
      source: previous.source,
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

  /** GET /v2/bookings semantics: afterStart ≤ start, end ≤ beforeEnd; status groups are OR-ed. */
  list(filter: ListFilter): SimBooking[] {
    const now = this.now();
    const statusMatch = (b: SimBooking, s: string) =>
      (s === 'upcoming' && b.status !== 'cancelled' && b.endMs >= now) ||
      (s === 'past' && b.status !== 'cancelled' && b.endMs < now) ||
      (s === 'cancelled' && b.status === 'cancelled');
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
      throw new SimHttpError(400, `Can't specify 'slotDuration' because event type with id=${et.id} is not variable length`);
    const c = this.conflict(et, req.slotStartMs, undefined, undefined);
    if (c && 'booking' in c) throw new SimHttpError(422, "Can't reserve a slot if the event is already booked.");
    if (c && 'reservation' in c)
      throw new SimHttpError(422, 'This time slot is already reserved by another user. Please try again later or choose a different time slot.');
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

  release(uid: string): void {
    if (!this.reservations.delete(uid)) throw new SimHttpError(404, `Reservation with uid=${uid} not found`);
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
