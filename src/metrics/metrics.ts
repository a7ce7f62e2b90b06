/**
 * Prometheus instruments of the booking runtime.
 *
 * The metric names and label names are a contract (see DESIGN.md "Metrics"):
 * grafana/dashboards/*.json, grafana/provisioning/alerting/*.yaml and
 * grafana/prometheus/alerts.yml query them by name, and test/metrics checks
 * that every name they use exists here. Rename one only together with those files.
 *
 * Nothing is registered at import: `createMetrics()` builds the instruments on a
 * registry of its own (or the one given), so tests can create as many as they like.
 *
 * | name                                          | type      | labels              |
 * | --------------------------------------------- | --------- | ------------------- |
 * | booking_commands_total                        | counter   | command, outcome    |
 * | retell_function_duration_seconds              | histogram | function, outcome   |
 * | calcom_request_duration_seconds               | histogram | operation, status   |
 * | availability_cache_requests_total             | counter   | result              |
 * | actor_jobs_total                              | counter   | outcome             |
 * | actor_mailbox_wait_seconds                    | histogram | —                   |
 * | saga_compensations_total                      | counter   | result              |
 * | orphaned_bookings                             | gauge     | —                   |
 * | retell_calls_total                            | counter   | event               |
 * | calls_with_appointment_total                  | counter   | —                   |
 * | calcom_webhooks_refused_total                 | counter   | reason              |
 * | process_* / nodejs_* (prom-client defaults)   | various   | —                   |
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds: 5 ms … 10 s. Cal.com's P95 alert fires above 3 s, so 3 is a bound. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
/** Mailbox wait is usually sub-millisecond when the partition is idle, so it adds 1 ms. */
export const MAILBOX_WAIT_BUCKETS: readonly number[] = [0.001, ...LATENCY_BUCKETS];

/** Commands a slot actor handles (`booking_commands_total{command}`). */
export const BOOKING_COMMANDS = ['book', 'cancel', 'reschedule', 'reconcile'] as const;
export type BookingCommand = (typeof BOOKING_COMMANDS)[number];

/**
 * `booking_commands_total{outcome}`:
 * - `success`          — done (booked / cancelled / moved / reconciled);
 * - `slot_unavailable` — the slot is taken (locally or at Cal.com); alternatives were offered;
 * - `rejected`         — refused for a reason on the caller's side (invalid or past time,
 *                        outside opening hours, unknown booking, missing data);
 * - `error`            — anything that is our or Cal.com's fault (exceptions, 5xx, timeouts,
 *                        a Cal.com answer that failed validation).
 * The booking success rate (dashboard + alert) is success / (success + error): a taken slot or
 * a rejected request is a correct answer, not a failure, so it must not page anyone.
 */
export const BOOKING_OUTCOMES = ['success', 'slot_unavailable', 'rejected', 'error'] as const;
export type BookingOutcome = (typeof BOOKING_OUTCOMES)[number];

/** Canonical Retell function names (`retell_function_duration_seconds{function}`; aliases are resolved first). */
export const RETELL_FUNCTIONS = [
  'check_customer',
  'check_availability',
  'book_appointment',
  'cancel_appointment',
  'reschedule_appointment',
  'get_alternatives',
  'list_services',
] as const;
export type RetellFunction = (typeof RETELL_FUNCTIONS)[number];

/**
 * `retell_function_duration_seconds{outcome}`:
 * `success` (reply success: true), `rejected` (success: false with a domain error code),
 * `pending` (the reply deadline passed and the agent was told to hold on), `error` (unexpected failure).
 */
export const RETELL_FUNCTION_OUTCOMES = ['success', 'rejected', 'pending', 'error'] as const;
export type RetellFunctionOutcome = (typeof RETELL_FUNCTION_OUTCOMES)[number];

/**
 * `calcom_request_duration_seconds{operation}`. `status` is the HTTP status code as a string
 * ("200", "409", …), or `timeout` / `network` when no response arrived (as the Cal.com client reports it).
 */
export const CALCOM_OPERATIONS = [
  'slots',
  'create_booking',
  'cancel_booking',
  'reserve_slot',
  'get_booking',
  'reschedule_booking',
  'list_bookings',
  'release_reservation',
  'get_event_type',
] as const;
export type CalcomOperation = (typeof CALCOM_OPERATIONS)[number];

/**
 * `availability_cache_requests_total{result}`: `hit` (fresh entry), `miss` (the caller waited for
 * Cal.com, possibly on another caller's single-flight request), `stale` (served past its TTL while a
 * background refresh runs — the caller did not wait). The cache hit rate counts hit + stale.
 */
export const CACHE_RESULTS = ['hit', 'miss', 'stale'] as const;
export type CacheResult = (typeof CACHE_RESULTS)[number];

/** `actor_jobs_total{outcome}`: one per mailbox job, `failed` when the handler threw. */
export const ACTOR_JOB_OUTCOMES = ['completed', 'failed'] as const;
export type ActorJobOutcome = (typeof ACTOR_JOB_OUTCOMES)[number];

/**
 * `saga_compensations_total{result}`, one per compensation attempt after a booking could not be saved:
 * `cancelled` (the Cal.com booking was cancelled right away), `orphaned` (that cancel failed; an orphan
 * was recorded), `swept` (the sweeper later cancelled an orphan), `escalated` (the sweeper gave up; a
 * person has to act). `orphaned_bookings` is the number of orphans not yet resolved.
 */
export const SAGA_RESULTS = ['cancelled', 'orphaned', 'swept', 'escalated'] as const;
export type SagaResult = (typeof SAGA_RESULTS)[number];

/**
 * Calls and conversion (names chosen here, not in DESIGN.md):
 * - `retell_calls_total{event}` — Retell call lifecycle webhooks: `started`, `ended`, `analyzed`
 *   (count each call id once per event);
 * - `calls_with_appointment_total` — incremented once per call, when the call ends (`call_ended`)
 *   and at least one appointment was booked during it.
 * Conversion = increase(calls_with_appointment_total) / increase(retell_calls_total{event="ended"}).
 */
export const RETELL_CALL_EVENTS = ['started', 'ended', 'analyzed'] as const;
export type RetellCallEvent = (typeof RETELL_CALL_EVENTS)[number];

export interface Metrics {
  readonly registry: Registry;
  readonly bookingCommands: Counter<'command' | 'outcome'>;
  readonly retellFunctionDuration: Histogram<'function' | 'outcome'>;
  readonly calcomRequestDuration: Histogram<'operation' | 'status'>;
  readonly availabilityCacheRequests: Counter<'result'>;
  readonly actorJobs: Counter<'outcome'>;
  readonly actorMailboxWait: Histogram;
  readonly sagaCompensations: Counter<'result'>;
  readonly orphanedBookings: Gauge;
  readonly retellCalls: Counter<'event'>;
  readonly callsWithAppointment: Counter;
  /** Cal.com webhooks not applied because uid, event type and company disagree with the store or Cal.com. */
  readonly calcomWebhooksRefused: Counter<'reason'>;
}

export interface MetricsOptions {
  /** Also register prom-client's process_* / nodejs_* metrics on the registry (default true). */
  defaultMetrics?: boolean;
}

/** Creates every instrument on `registry` and pre-initialises the series dashboards and alerts rely on. */
export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): Metrics {
  const registers = [registry];

  const metrics: Metrics = {
    registry,
    bookingCommands: new Counter({
      name: 'booking_commands_total',
      help: 'Slot actor commands handled, by command and outcome (success, slot_unavailable, rejected, error).',
      labelNames: ['command', 'outcome'] as const,
      registers,
    }),
    retellFunctionDuration: new Histogram({
      name: 'retell_function_duration_seconds',
      help: 'Time from receiving a Retell function call to replying, by function and outcome.',
      labelNames: ['function', 'outcome'] as const,
      buckets: [...LATENCY_BUCKETS],
      registers,
    }),
    calcomRequestDuration: new Histogram({
      name: 'calcom_request_duration_seconds',
      help: 'Cal.com API v2 request duration, by operation and HTTP status (or timeout / network).',
      labelNames: ['operation', 'status'] as const,
      buckets: [...LATENCY_BUCKETS],
      registers,
    }),
    availabilityCacheRequests: new Counter({
      name: 'availability_cache_requests_total',
      help: 'Availability cache lookups, by result (hit, miss, stale).',
      labelNames: ['result'] as const,
      registers,
    }),
    actorJobs: new Counter({
      name: 'actor_jobs_total',
      help: 'Actor mailbox jobs processed, by outcome (completed, failed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    actorMailboxWait: new Histogram({
      name: 'actor_mailbox_wait_seconds',
      help: 'Time a command waited in its partition mailbox before its actor started it.',
      buckets: [...MAILBOX_WAIT_BUCKETS],
      registers,
    }),
    sagaCompensations: new Counter({
      name: 'saga_compensations_total',
      help: 'Saga compensations of bookings that could not be saved, by result (cancelled, orphaned, swept, escalated).',
      labelNames: ['result'] as const,
      registers,
    }),
    orphanedBookings: new Gauge({
      name: 'orphaned_bookings',
      help: 'Cal.com bookings without a local appointment whose cancellation has not succeeded yet.',
      registers,
    }),
    retellCalls: new Counter({
      name: 'retell_calls_total',
      help: 'Retell call lifecycle events received, by event (started, ended, analyzed).',
      labelNames: ['event'] as const,
      registers,
    }),
    callsWithAppointment: new Counter({
      name: 'calls_with_appointment_total',
      help: 'Ended calls during which at least one appointment was booked.',
      registers,
    }),
    calcomWebhooksRefused: new Counter({
      name: 'calcom_webhooks_refused_total',
      help: 'Signed Cal.com webhooks not applied, by reason (event_type_mismatch, company_mismatch, not_in_calcom).',
      labelNames: ['reason'] as const,
      registers,
    }),
  };

  // Series that dashboards and alerts divide by or compare must exist (at 0) from the first scrape,
  // otherwise rate() has no starting point and the first increase after a restart is lost.
  for (const command of BOOKING_COMMANDS) {
    for (const outcome of BOOKING_OUTCOMES) metrics.bookingCommands.inc({ command, outcome }, 0);
  }
  for (const result of CACHE_RESULTS) metrics.availabilityCacheRequests.inc({ result }, 0);
  for (const outcome of ACTOR_JOB_OUTCOMES) metrics.actorJobs.inc({ outcome }, 0);
  for (const result of SAGA_RESULTS) metrics.sagaCompensations.inc({ result }, 0);
  for (const event of RETELL_CALL_EVENTS) metrics.retellCalls.inc({ event }, 0);
  metrics.orphanedBookings.set(0);

  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return metrics;
}
