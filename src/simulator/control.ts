import { DateTime } from 'luxon';
import { isValidTimeZone } from '../domain/zone-offsets.ts';
import { z } from 'zod';
import { WEEKDAYS, type SimBooking, type SimEventType, type SimHost, type WeeklyHours } from './calendar.ts';
import { FAULT_KINDS, type FaultConfig, type FaultKind, type LatencySpec, type OperationKey } from './faults.ts';
import { SIM_OPERATIONS, type SimOperation } from './operations.ts';
import type { SimState } from './state.ts';
import { BOOKING_LANGUAGES } from './validation.ts';
import { apiBooking } from './views.ts';
import type { WebhookDelivery, WebhookTarget } from './webhooks.ts';

// ---------- input schemas (shared by the in-process API, /_sim HTTP and seed files) ----------

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'HH:mm');
export const weeklyHoursSchema = z.partialRecord(z.enum(WEEKDAYS), z.array(z.object({ start: hhmm, end: hhmm })));
export type WeeklyHoursInput = z.input<typeof weeklyHoursSchema>;

const timeZoneSchema = z.string().refine(isValidTimeZone, 'IANA time zone');

export const eventTypeInputSchema = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  title: z.string().min(1).optional(),
  lengthInMinutes: z.number().int().positive(),
  hostId: z.number().int().positive().optional(),
  teamId: z.number().int().positive().optional(),
  slotIntervalMinutes: z.number().int().positive().optional(),
  minimumBookingNoticeMinutes: z.number().int().min(0).optional(),
  bookingWindowDays: z.number().int().positive().optional(),
  hours: weeklyHoursSchema.optional(),
  /** Booking questions (API form: slug, type, required, hidden); Cal.com's defaults when omitted. */
  bookingFields: z
    .array(
      z.object({
        slug: z.string().min(1),
        type: z.string().min(1),
        required: z.boolean(),
        hidden: z.boolean().optional(),
        label: z.string().optional(),
        isDefault: z.boolean().optional(),
      }),
    )
    .optional(),
  /** Event type locations in API output form, e.g. `[{ type: 'attendeePhone' }]`. */
  locations: z.array(z.looseObject({ type: z.string().min(1) })).optional(),
  beforeEventBuffer: z.number().int().min(0).optional(),
  afterEventBuffer: z.number().int().min(0).optional(),
  requiresConfirmation: z.boolean().optional(),
  pendingBlocksSlot: z.boolean().optional(),
  disableCancelling: z.boolean().optional(),
  disableRescheduling: z.boolean().optional(),
  maxBookingsPerDay: z.number().int().positive().optional(),
});
export type EventTypeInput = z.input<typeof eventTypeInputSchema>;

export const hostInputSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).optional(),
  email: z.email().optional(),
  username: z.string().min(1).optional(),
  timeZone: timeZoneSchema.optional(),
});
export type HostInput = z.input<typeof hostInputSchema>;

const instantSchema = z.union([z.date(), z.string(), z.number()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : DateTime.fromISO(v, { setZone: true }).toMillis();
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'ISO 8601 instant, Date or epoch ms' });
    return z.NEVER;
  }
  return ms;
});

export const externalBookingSchema = z.object({
  eventTypeId: z.number().int().positive(),
  start: instantSchema,
  attendee: z
    .object({
      name: z.string().min(1).optional(),
      email: z.email().optional(),
      timeZone: timeZoneSchema.optional(),
      phoneNumber: z.string().optional(),
      language: z.enum(BOOKING_LANGUAGES).optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  /** Skip availability rules, e.g. to stage a double booking made behind Cal.com's back. */
  force: z.boolean().optional(),
});
export type ExternalBookingInput = z.input<typeof externalBookingSchema>;

export const latencySpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('fixed'), ms: z.number().min(0) }),
  z.object({ kind: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
  z.object({
    kind: z.literal('lognormal'),
    lowMs: z.number().positive().optional(),
    highMs: z.number().positive().optional(),
    coverage: z.number().gt(0).lt(1).optional(),
    scale: z.number().positive().optional(),
  }),
]);

export const faultConfigSchema = z.object({
  rates: z.partialRecord(z.enum(FAULT_KINDS), z.number().min(0).max(1)).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  serverErrorStatus: z.number().int().min(500).max(599).optional(),
  hangMs: z.number().int().min(0).optional(),
});

export const operationSchema = z.enum(SIM_OPERATIONS as [SimOperation, ...SimOperation[]]);
export const operationKeySchema = z.union([operationSchema, z.literal('*')]);

export const webhookTargetSchema = z.object({
  url: z.url(),
  secret: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
});

// ---------- the control surface ----------

export interface SimulatorStats {
  now: string;
  /** Requests received per operation, faulted ones included. */
  requests: Partial<Record<SimOperation, number>>;
  /** Outcomes per operation: HTTP status, or `drop` / `timeout` / `take_effect_then_drop`. */
  responses: Partial<Record<SimOperation, Record<string, number>>>;
  faults: Partial<Record<FaultKind, number>>;
  bookings: { total: number; active: number; cancelled: number };
  /** Live bookings per `eventTypeId@startISO` — more than 1 anywhere is a double booking. */
  activeBookingsBySlot: Record<string, number>;
  /** Pairs of live bookings of one host whose ranges overlap (0 in a healthy run). */
  overlappingActiveBookings: number;
  webhooks: { sent: number; delivered: number; failed: number };
}

export interface ResetOptions {
  /** Also forget event types and hosts. */
  all?: boolean;
}

export interface SimulatorControl {
  addEventType(input: EventTypeInput): SimEventType;
  addHost(input: HostInput): SimHost;
  eventTypes(): SimEventType[];
  /** Weekly hours of the calendar, or of one event type. */
  setHours(hours: WeeklyHoursInput, eventTypeId?: number): void;
  setTimeZone(timeZone: string): void;
  /** Freeze the simulated now (null: follow the wall clock again). */
  setNow(at: Date | string | number | null): void;
  now(): Date;
  /** A booking made on the Cal.com page directly; fires BOOKING_CREATED. Returns the API shape. */
  createExternalBooking(input: ExternalBookingInput): Record<string, unknown>;
  /** A cancellation by the host in Cal.com; fires BOOKING_CANCELLED (disable-cancelling does not stop a host). */
  cancelExternalBooking(uid: string, reason?: string): Record<string, unknown>;
  /** The host confirms a pending booking; fires BOOKING_CREATED. */
  confirmBooking(uid: string): Record<string, unknown>;
  /** The host rejects a pending booking; fires BOOKING_REJECTED. */
  declineBooking(uid: string, reason?: string): Record<string, unknown>;
  /** Fires MEETING_STARTED / MEETING_ENDED (flat body, no `payload`). */
  meetingEvent(uid: string, trigger: 'MEETING_STARTED' | 'MEETING_ENDED'): void;
  /** The host user is deleted: bookings show `hosts[].id` "unknown". */
  deleteHost(id: number): void;
  setLatency(operation: OperationKey, spec: LatencySpec): void;
  setFaults(operation: OperationKey, config: FaultConfig): void;
  /** The next requests of an operation get these faults, in order (before random rates). */
  queueFaults(operation: SimOperation, kinds: FaultKind[]): void;
  setWebhook(target: WebhookTarget | null): void;
  /** Requests per minute per caller before 429 (null: unlimited). */
  setRateLimit(perMinute: number | null): void;
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves when every webhook emitted so far was delivered (or failed). */
  flushWebhooks(): Promise<void>;
  /** All bookings in Cal.com's API shape, in creation order. */
  bookings(): Array<Record<string, unknown>>;
  stats(): SimulatorStats;
  /**
   * Clears bookings, reservations, counters, faults, latency, the frozen clock and the
   * webhook log, and restores the start-up hours and time zone; keeps event types,
   * hosts and the webhook target unless `all`.
   */
  reset(options?: ResetOptions): void;
}

function overlappingPairs(bookings: SimBooking[]): number {
  const byHost = new Map<number, SimBooking[]>();
  for (const b of bookings) byHost.set(b.hostId, [...(byHost.get(b.hostId) ?? []), b]);
  let pairs = 0;
  for (const list of byHost.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length && (list[j] as SimBooking).startMs < (list[i] as SimBooking).endMs; j++) pairs++;
  }
  return pairs;
}

/** What `reset` restores: the calendar settings the simulator was started with. */
export interface ControlDefaults {
  timeZone: string;
  hours: WeeklyHours;
}

export function createControl(state: SimState, defaults: ControlDefaults): SimulatorControl {
  const cal = state.calendar;
  const control: SimulatorControl = {
    addEventType(input) {
      const et = eventTypeInputSchema.parse(input);
      return cal.upsertEventType({ ...et, ...(et.hours && { hours: et.hours }) } as Parameters<typeof cal.upsertEventType>[0]);
    },
    addHost(input) {
      return cal.upsertHost(hostInputSchema.parse(input) as Parameters<typeof cal.upsertHost>[0]);
    },
    eventTypes: () => cal.listEventTypes(),
    setHours(input, eventTypeId) {
      const hours = weeklyHoursSchema.parse(input);
      if (eventTypeId === undefined) cal.hours = hours;
      else cal.eventType(eventTypeId).hours = hours;
    },
    setTimeZone(timeZone) {
      cal.timeZone = timeZoneSchema.parse(timeZone);
    },
    setNow(at) {
      state.setNow(at === null ? undefined : instantSchema.parse(at));
    },
    now: () => new Date(state.now()),
    createExternalBooking(input) {
      const req = externalBookingSchema.parse(input);
      const booking = state.createBooking({
        eventTypeId: req.eventTypeId,
        startMs: req.start,
        attendee: {
          name: req.attendee?.name ?? 'Walk-in Customer',
          email: req.attendee?.email ?? 'customer@example.com',
          timeZone: req.attendee?.timeZone ?? cal.timeZone,
          language: req.attendee?.language ?? 'de',
          ...(req.attendee?.phoneNumber && { phoneNumber: req.attendee.phoneNumber }),
        },
        metadata: req.metadata ?? {},
        source: 'external',
        force: req.force ?? false,
      });
      return apiBooking(cal, booking);
    },
    cancelExternalBooking(uid, reason) {
      return apiBooking(cal, state.cancelBooking(uid, reason, true));
    },
    confirmBooking: (uid) => apiBooking(cal, state.confirmBooking(uid)),
    declineBooking: (uid, reason) => apiBooking(cal, state.declineBooking(uid, reason)),
    meetingEvent: (uid, trigger) => state.meetingEvent(uid, trigger),
    deleteHost(id) {
      cal.deletedHosts.add(id);
    },
    setLatency(operation, spec) {
      state.faults.setLatency(operationKeySchema.parse(operation), latencySpecSchema.parse(spec) as LatencySpec);
    },
    setFaults(operation, config) {
      state.faults.setFaults(operationKeySchema.parse(operation), faultConfigSchema.parse(config) as FaultConfig);
    },
    queueFaults(operation, kinds) {
      const op = operationSchema.parse(operation);
      state.faults.queue(op, z.array(z.enum(FAULT_KINDS)).parse(kinds));
    },
    setWebhook(target) {
      state.webhooks.configure(target === null ? undefined : (webhookTargetSchema.parse(target) as WebhookTarget));
    },
    setRateLimit(perMinute) {
      state.rateLimiter.setLimit(perMinute === null ? undefined : z.number().int().positive().parse(perMinute));
    },
    webhookDeliveries: () => state.webhooks.deliveries(),
    flushWebhooks: () => state.webhooks.flush(),
    bookings: () => cal.all().map((b) => apiBooking(cal, b)),
    stats() {
      const all = cal.all();
      const active = all.filter((b) => b.status === 'accepted' || b.status === 'pending');
      const bySlot: Record<string, number> = {};
      for (const b of active) {
        const key = `${b.eventTypeId}@${new Date(b.startMs).toISOString()}`;
        bySlot[key] = (bySlot[key] ?? 0) + 1;
      }
      const deliveries = state.webhooks.deliveries();
      return {
        now: new Date(state.now()).toISOString(),
        requests: Object.fromEntries(state.requests),
        responses: Object.fromEntries([...state.responses].map(([op, m]) => [op, Object.fromEntries(m)])),
        faults: Object.fromEntries(state.faultCounts),
        bookings: { total: all.length, active: active.length, cancelled: all.length - active.length },
        activeBookingsBySlot: bySlot,
        overlappingActiveBookings: overlappingPairs(active),
        webhooks: {
          sent: deliveries.length,
          delivered: deliveries.filter((d) => d.status !== undefined && d.status < 300).length,
          failed: deliveries.filter((d) => d.error !== undefined || (d.status !== undefined && d.status >= 300)).length,
        },
      };
    },
    reset(options = {}) {
      cal.clear(options.all ?? false);
      cal.deletedHosts.clear();
      cal.hours = defaults.hours;
      cal.timeZone = defaults.timeZone;
      state.faults.reset();
      state.resetCounters();
      state.rateLimiter.reset();
      state.setNow(undefined);
      state.webhooks.clearLog();
    },
  };
  return control;
}
