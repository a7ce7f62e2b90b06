import { SimCalendar, type BookRequest, type SimBooking, type WeeklyHours } from './calendar.ts';
import { FaultPlan, type FaultKind } from './faults.ts';
import { RateLimiter } from './ratelimit.ts';
import type { SimOperation } from './operations.ts';
import type { Rng } from './rng.ts';
import { bookingWebhookBody, meetingWebhookBody, WebhookSender, type WebhookTarget } from './webhooks.ts';

export interface SimStateOptions {
  timeZone: string;
  hours: WeeklyHours;
  rng: Rng;
  /** Wall clock (epoch ms); `setNow` can freeze it. */
  clock: () => number;
  apiKey?: string;
  webhook?: WebhookTarget;
  /** Requests per minute per caller, as Cal.com's throttler (off when undefined). */
  rateLimitPerMinute?: number;
  /** False models the create DTO versions without `reservedSlotUid` (default true). */
  acceptsReservedSlotUid?: boolean;
  /** How a create hitting someone else's reservation is answered: 409 (newer, default) or 400 (older). */
  reservationConflictStatus?: 409 | 400;
}

/**
 * Everything one simulator instance owns: the calendar, the fault plan, the webhook
 * sender, a clock that tests can freeze, and request counters. Booking changes go
 * through here so that API and "external" bookings fire the same webhooks.
 */
export class SimState {
  readonly calendar: SimCalendar;
  readonly faults: FaultPlan;
  readonly webhooks = new WebhookSender();
  readonly apiKey: string | undefined;
  /** Counts real (wall-clock) time even while `now` is frozen: it is about request rates. */
  readonly rateLimiter: RateLimiter;
  readonly requests = new Map<SimOperation, number>();
  readonly responses = new Map<SimOperation, Map<string, number>>();
  readonly faultCounts = new Map<FaultKind, number>();
  acceptsReservedSlotUid: boolean;
  private frozenAt: number | undefined;
  private readonly clock: () => number;

  constructor(options: SimStateOptions) {
    this.clock = options.clock;
    this.apiKey = options.apiKey;
    this.faults = new FaultPlan(options.rng);
    this.calendar = new SimCalendar({ timeZone: options.timeZone, hours: options.hours, now: () => this.now(), rng: options.rng });
    this.webhooks.configure(options.webhook);
    this.rateLimiter = new RateLimiter(options.rateLimitPerMinute, options.clock);
    this.acceptsReservedSlotUid = options.acceptsReservedSlotUid ?? true;
    if (options.reservationConflictStatus) this.calendar.reservationConflictStatus = options.reservationConflictStatus;
  }

  now(): number {
    return this.frozenAt ?? this.clock();
  }

  /** Freezes the simulated "now" (null: back to the wall clock). */
  setNow(ms: number | undefined): void {
    this.frozenAt = ms;
  }

  /** A pending booking (event type requires confirmation) fires BOOKING_REQUESTED instead of BOOKING_CREATED. */
  createBooking(req: BookRequest): SimBooking {
    const booking = this.calendar.book(req);
    this.webhooks.emit(bookingWebhookBody(this.calendar, booking.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_CREATED', booking, this.now()));
    return booking;
  }

  /** `byHost`: cancelled by the host in Cal.com (not refused by disable-cancelling or an ended booking). */
  cancelBooking(uid: string, reason?: string, byHost = false): SimBooking {
    const booking = this.calendar.cancel(uid, reason, byHost);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_CANCELLED', booking, this.now()));
    return booking;
  }

  /** The host confirms: BOOKING_CREATED (status ACCEPTED) is sent then. */
  confirmBooking(uid: string): SimBooking {
    const booking = this.calendar.confirm(uid);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_CREATED', booking, this.now()));
    return booking;
  }

  declineBooking(uid: string, reason?: string): SimBooking {
    const booking = this.calendar.decline(uid, reason);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_REJECTED', booking, this.now()));
    return booking;
  }

  /** MEETING_STARTED / MEETING_ENDED: a flat body, no `payload` object. */
  meetingEvent(uid: string, trigger: 'MEETING_STARTED' | 'MEETING_ENDED'): void {
    this.webhooks.emit(meetingWebhookBody(this.calendar, trigger, this.calendar.get(uid), this.now()));
  }

  rescheduleBooking(uid: string, req: Parameters<SimCalendar['reschedule']>[1]): { previous: SimBooking; booking: SimBooking } {
    const result = this.calendar.reschedule(uid, req);
    const trigger = result.booking.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_RESCHEDULED';
    this.webhooks.emit(bookingWebhookBody(this.calendar, trigger, result.booking, this.now(), result.previous));
    return result;
  }

  countRequest(operation: SimOperation): void {
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
  }

  countResponse(operation: SimOperation, label: string): void {
    const byStatus = this.responses.get(operation) ?? new Map<string, number>();
    byStatus.set(label, (byStatus.get(label) ?? 0) + 1);
    this.responses.set(operation, byStatus);
  }

  countFault(kind: FaultKind): void {
    this.faultCounts.set(kind, (this.faultCounts.get(kind) ?? 0) + 1);
  }

  resetCounters(): void {
    this.requests.clear();
    this.responses.clear();
    this.faultCounts.clear();
  }
}
