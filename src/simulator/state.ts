import { SimCalendar, type BookRequest, type SimBooking, type WeeklyHours } from './calendar.ts';
import { FaultPlan, type FaultKind } from './faults.ts';
import { RateLimiter } from './ratelimit.ts';
import type { SimOperation } from './operations.ts';
import type { Rng } from './rng.ts';
import { bookingWebhookBody, WebhookSender, type WebhookTarget } from './webhooks.ts';

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
  private frozenAt: number | undefined;
  private readonly clock: () => number;

  constructor(options: SimStateOptions) {
    this.clock = options.clock;
    this.apiKey = options.apiKey;
    this.faults = new FaultPlan(options.rng);
    this.calendar = new SimCalendar({ timeZone: options.timeZone, hours: options.hours, now: () => this.now(), rng: options.rng });
    this.webhooks.configure(options.webhook);
    this.rateLimiter = new RateLimiter(options.rateLimitPerMinute, options.clock);
  }

  now(): number {
    return this.frozenAt ?? this.clock();
  }

  /** Freezes the simulated "now" (null: back to the wall clock). */
  setNow(ms: number | undefined): void {
    this.frozenAt = ms;
  }

  createBooking(req: BookRequest): SimBooking {
    const booking = this.calendar.book(req);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_CREATED', booking, this.now()));
    return booking;
  }

  cancelBooking(uid: string, reason?: string): SimBooking {
    const booking = this.calendar.cancel(uid, reason);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_CANCELLED', booking, this.now()));
    return booking;
  }

  rescheduleBooking(uid: string, req: Parameters<SimCalendar['reschedule']>[1]): { previous: SimBooking; booking: SimBooking } {
    const result = this.calendar.reschedule(uid, req);
    this.webhooks.emit(bookingWebhookBody(this.calendar, 'BOOKING_RESCHEDULED', result.booking, this.now(), result.previous));
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
