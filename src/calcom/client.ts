import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { CalcomError, CalcomUnknownOutcomeError, isAlreadyCancelled, isNotFound, isSlotTaken } from './errors.ts';
import type { CalcomErrorDetail, CalcomErrorKind } from './errors.ts';
import { API_VERSION, IDEMPOTENT, type CalcomOperation } from './operations.ts';
import {
  createBookingReconciled,
  findBookingByMetadata,
  rescheduleBookingReconciled,
  type CreateOutcome,
  type MetadataQuery,
  type ReconcileOptions,
  type RescheduleOutcome,
} from './reconcile.ts';
import { validateAttendee } from './attendee.ts';
import { eventTypeWireSchema, toCalcomEventType, type CalcomEventType } from './event-types.ts';
import { RateLimitPacer } from './rate-limit.ts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, retryAfterMs, type RetryPolicy } from './retry.ts';
import {
  bookingListEnvelopeSchema,
  bookingSchema,
  calcomErrorBodySchema,
  cancelBookingInputSchema,
  createBookingInputSchema,
  getSlotsInputSchema,
  listBookingsInputSchema,
  rescheduleBookingInputSchema,
  reservationSchema,
  reserveSlotInputSchema,
  slotsByDateSchema,
  successEnvelope,
  type CalcomBooking,
  type CalcomPagination,
  type CalcomReservation,
  type CancelBookingInput,
  type CreateBookingInput,
  type GetSlotsInput,
  type ListBookingsInput,
  type RescheduleBookingInput,
  type ReserveSlotInput,
  type SlotsByDate,
} from './schemas.ts';
import { HttpTransport, TransportError, type TransportResponse } from './transport.ts';

/** One HTTP attempt, as seen by metrics (`calcom_request_duration_seconds{operation,status}`). */
export interface CalcomRequestObservation {
  operation: CalcomOperation;
  /** HTTP status code as a string, or `network` / `timeout`. */
  status: string;
  durationSeconds: number;
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  attempt: number;
}

/** The subset of a pino logger the client uses. */
export interface CalcomLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CalcomClientOptions {
  /** e.g. `https://api.cal.com` (a trailing `/v2` is tolerated). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; empty sends no Authorization header. */
  apiKey: string;
  /** Per-attempt timeout in ms, per operation; `default` applies to the rest (5000). */
  timeouts?: Partial<Record<CalcomOperation | 'default', number>>;
  retries?: Partial<RetryPolicy> & { perOperation?: Partial<Record<CalcomOperation, Partial<RetryPolicy>>> };
  onRequest?: (observation: CalcomRequestObservation) => void;
  logger?: CalcomLogger;
  /** Monotonic ms clock for durations. */
  now?: () => number;
  /** Waits between retries (tests make this instant and record the delays). */
  sleep?: (ms: number) => Promise<void>;
  /** [0,1) source for backoff jitter. */
  random?: () => number;
  /** Max sockets in the keep-alive pool. */
  connections?: number;
  connectTimeoutMs?: number;
  /**
   * Requests per minute to pace to before Cal.com's headers said (Cal.com: 120 per API key).
   * Once an answer carries X-RateLimit-* headers their limit is used. Undefined: no pacing
   * until then (the simulator without a rate limit sends none).
   */
  rateLimitPerMinute?: number;
  /** Default budget of one call in ms, retries and rate-limit waits included (10 000). */
  deadlineMs?: number;
}

export interface CallOptions {
  /** Overrides the operation's timeout for this call. */
  timeoutMs?: number;
  /**
   * The whole call's budget in ms from now: a rate-limit wait or a 429's reset that does not
   * fit in it is not waited for — the call fails at once (kind `rate_limited` or HTTP 429).
   */
  deadlineMs?: number;
}

export interface BookingPage {
  bookings: CalcomBooking[];
  pagination: CalcomPagination | undefined;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
}

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_LIST_PAGES = 10;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const noop = () => {};
/** An answer that carries no data (a released reservation). */
const successOnly = z.looseObject({ status: z.literal('success') });
const silent: CalcomLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Cal.com API v2 client: the right `cal-api-version` per endpoint, v2 payloads only,
 * zod-validated answers, errors that carry Cal.com's own explanation, retries only
 * where repeating cannot act twice, and one observation per HTTP attempt.
 */
export class CalcomClient {
  private readonly transport: HttpTransport;
  private readonly pathPrefix: string;
  private readonly apiKey: string;
  private readonly timeouts: Partial<Record<CalcomOperation | 'default', number>>;
  private readonly retries: NonNullable<CalcomClientOptions['retries']>;
  private readonly onRequest: (o: CalcomRequestObservation) => void;
  private readonly logger: CalcomLogger;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly pacer: RateLimitPacer;
  private readonly deadlineMs: number;

  constructor(options: CalcomClientOptions) {
    const url = new URL(options.baseUrl);
    this.pathPrefix = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.transport = new HttpTransport(url.origin, {
      ...(options.connections !== undefined && { connections: options.connections }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    });
    this.apiKey = options.apiKey;
    this.timeouts = options.timeouts ?? {};
    this.retries = options.retries ?? {};
    this.onRequest = options.onRequest ?? noop;
    this.logger = options.logger ?? silent;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.pacer = new RateLimitPacer({
      now: this.now,
      ...(options.rateLimitPerMinute !== undefined && { perMinute: options.rateLimitPerMinute }),
    });
  }

  /** The rate limit requests are paced to (from Cal.com's X-RateLimit-* headers, or configured). */
  get rateLimitPerMinute(): number | undefined {
    return this.pacer.currentLimit;
  }

  // ---------- operations ----------

  /** GET /v2/slots — free start times keyed by local date of `timeZone` (UTC if omitted). */
  async getSlots(input: GetSlotsInput, opts?: CallOptions): Promise<SlotsByDate> {
    const q = this.parseInput('slots', getSlotsInputSchema, input);
    return this.call('slots', { method: 'GET', path: '/v2/slots', query: { ...q } }, successEnvelope(slotsByDateSchema), opts);
  }

  /** POST /v2/bookings. A 5xx, timeout or dropped connection throws CalcomUnknownOutcomeError. */
  async createBooking(input: CreateBookingInput, opts?: CallOptions): Promise<CalcomBooking> {
    const problem = validateAttendee(input.attendee ?? {});
    if (problem) {
      this.logger.warn({ operation: 'create_booking', reason: problem.code }, 'cal.com request not sent: Cal.com would refuse the attendee');
      throw new CalcomError({
        operation: 'create_booking',
        kind: 'invalid_request',
        reason: problem.code,
        callerMessage: problem.message,
        message: `Cal.com create_booking refused locally: attendee.${problem.field} would be refused by Cal.com (${problem.code})`,
      });
    }
    const body = this.parseInput('create_booking', createBookingInputSchema, input);
    return this.call('create_booking', { method: 'POST', path: '/v2/bookings', body }, successEnvelope(bookingSchema), opts);
  }

  /**
   * GET /v2/event-types/{id} (cal-api-version 2024-06-14, API key): booking questions,
   * length, buffers, notice, confirmation policy, disabled cancel/reschedule.
   */
  async getEventType(id: number, opts?: CallOptions): Promise<CalcomEventType> {
    const wire = await this.call('get_event_type', { method: 'GET', path: `/v2/event-types/${enc(String(id))}` }, successEnvelope(eventTypeWireSchema), opts);
    return toCalcomEventType(wire);
  }

  /** GET /v2/bookings/{uid}. */
  async getBooking(uid: string, opts?: CallOptions): Promise<CalcomBooking> {
    return this.call('get_booking', { method: 'GET', path: `/v2/bookings/${enc(uid)}` }, successEnvelope(bookingSchema), opts);
  }

  /** GET /v2/bookings — one page of the API key owner's bookings matching the filter. */
  async listBookings(filter: ListBookingsInput, opts?: CallOptions): Promise<BookingPage> {
    const q = this.parseInput('list_bookings', listBookingsInputSchema, filter);
    const res = await this.send('list_bookings', { method: 'GET', path: '/v2/bookings', query: { ...q } }, bookingListEnvelopeSchema, opts);
    return { bookings: res.data, pagination: res.pagination };
  }

  /** Follows `skip` through all pages (bounded) and returns every matching booking. */
  async listAllBookings(filter: ListBookingsInput, opts?: CallOptions): Promise<CalcomBooking[]> {
    const take = filter.take ?? 250;
    const all: CalcomBooking[] = [];
    let skip = filter.skip ?? 0;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const { bookings, pagination } = await this.listBookings({ ...filter, take, skip }, opts);
      all.push(...bookings);
      const more = pagination ? pagination.hasNextPage : bookings.length === take;
      if (!more || bookings.length === 0) break;
      skip += bookings.length;
    }
    return all;
  }

  /** The booking of `eventTypeId` around `start` whose metadata[key] (default commandId) equals value. */
  findBookingByMetadata(query: MetadataQuery): Promise<CalcomBooking | undefined> {
    return findBookingByMetadata(this, query);
  }

  /**
   * POST /v2/bookings/{uid}/cancel. Idempotent from the caller's view: if Cal.com says
   * the booking is already cancelled (e.g. our first attempt did take effect), the
   * booking is fetched and returned.
   */
  async cancelBooking(uid: string, input: CancelBookingInput = {}, opts?: CallOptions): Promise<CalcomBooking> {
    const body = this.parseInput('cancel_booking', cancelBookingInputSchema, input);
    try {
      return await this.call('cancel_booking', { method: 'POST', path: `/v2/bookings/${enc(uid)}/cancel`, body }, successEnvelope(bookingSchema), opts);
    } catch (err) {
      if (isAlreadyCancelled(err)) return this.getBooking(uid, opts);
      throw err;
    }
  }

  /** POST /v2/bookings/{uid}/reschedule — returns the new booking (`rescheduledFromUid` = uid). */
  async rescheduleBooking(uid: string, input: RescheduleBookingInput, opts?: CallOptions): Promise<CalcomBooking> {
    const body = this.parseInput('reschedule_booking', rescheduleBookingInputSchema, input);
    return this.call('reschedule_booking', { method: 'POST', path: `/v2/bookings/${enc(uid)}/reschedule`, body }, successEnvelope(bookingSchema), opts);
  }

  /** POST /v2/slots/reservations — holds a slot for `reservationDuration` minutes (default 5). */
  async reserveSlot(input: ReserveSlotInput, opts?: CallOptions): Promise<CalcomReservation> {
    const body = this.parseInput('reserve_slot', reserveSlotInputSchema, input);
    return this.call('reserve_slot', { method: 'POST', path: '/v2/slots/reservations', body }, successEnvelope(reservationSchema), opts);
  }

  /** DELETE /v2/slots/reservations/{uid}. An unknown/expired reservation counts as released. */
  async releaseReservation(uid: string, opts?: CallOptions): Promise<void> {
    try {
      await this.send('release_reservation', { method: 'DELETE', path: `/v2/slots/reservations/${enc(uid)}` }, successOnly, opts);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Create; on unknown outcome, find the booking by metadata.commandId (see reconcile.ts). */
  createBookingReconciled(input: CreateBookingInput, options: ReconcileOptions = {}): Promise<CreateOutcome> {
    return createBookingReconciled(this, input, { sleep: this.sleep, ...options });
  }

  /** Reschedule; on unknown outcome, find the new booking by rescheduledFromUid. */
  rescheduleBookingReconciled(uid: string, input: RescheduleBookingInput, options: ReconcileOptions = {}): Promise<RescheduleOutcome> {
    return rescheduleBookingReconciled(this, uid, input, { sleep: this.sleep, ...options });
  }

  /**
   * Is Cal.com reachable? Any HTTP answer to an unauthenticated slots request counts
   * (it answers 400 without parameters); for readiness checks, not retried, not observed.
   */
  async ping(timeoutMs = 1000): Promise<boolean> {
    try {
      await this.transport.send({ method: 'GET', path: `${this.pathPrefix}/v2/slots`, headers: { 'cal-api-version': '2024-09-04' }, timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the connection pool; in-flight requests finish first. */
  close(): Promise<void> {
    return this.transport.close();
  }

  // ---------- machinery ----------

  private parseInput<S extends z.ZodType>(operation: CalcomOperation, schema: S, input: unknown): z.output<S> {
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    const message = `Cal.com ${operation} refused locally: ${z.prettifyError(parsed.error)}`;
    this.logger.error({ operation, issues: parsed.error.issues }, 'cal.com request not sent: invalid input');
    throw new CalcomError({ operation, kind: 'invalid_request', message });
  }

  private policy(operation: CalcomOperation): RetryPolicy {
    const { perOperation, ...common } = this.retries;
    return { ...DEFAULT_RETRY_POLICY, ...common, ...perOperation?.[operation] };
  }

  private observe(operation: CalcomOperation, status: string, startedAt: number, attempt: number): void {
    try {
      this.onRequest({ operation, status, durationSeconds: (this.now() - startedAt) / 1000, attempt });
    } catch (err) {
      this.logger.warn({ operation, err }, 'calcom onRequest hook threw');
    }
  }

  /**
   * One logical call: attempts until success, a non-retryable answer, or the policy is
   * exhausted. The decision table is the heart of "never book twice":
   * - 429 or connection refused: Cal.com did not act → every operation may retry
   * - 5xx, timeout, dropped connection: idempotent operations retry; creates throw
   *   CalcomUnknownOutcomeError for the caller to reconcile
   * - other 4xx: thrown at once with Cal.com's error body
   */
  private async call<T>(
    operation: CalcomOperation,
    spec: RequestSpec,
    schema: z.ZodType<{ data: T }>,
    opts: CallOptions | undefined,
  ): Promise<T> {
    return (await this.send(operation, spec, schema, opts)).data;
  }

  private async send<T>(
    operation: CalcomOperation,
    spec: RequestSpec,
    schema: z.ZodType<T>,
    opts: CallOptions | undefined,
  ): Promise<T> {
    const policy = this.policy(operation);
    const idempotent = IDEMPOTENT[operation];
    const timeoutMs = opts?.timeoutMs ?? this.timeouts[operation] ?? this.timeouts.default ?? DEFAULT_TIMEOUT_MS;
    const path = this.pathPrefix + spec.path + queryString(spec.query);
    const bodyText = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = {
      'cal-api-version': API_VERSION[operation],
      accept: 'application/json',
      ...(this.apiKey && { authorization: `Bearer ${this.apiKey}` }),
      ...(bodyText !== undefined && { 'content-type': 'application/json' }),
    };
    const context = { operation, method: spec.method, path: spec.path, ...(spec.body !== undefined && { requestShape: shapeOf(spec.body) }) };
    const deadlineAt = this.now() + (opts?.deadlineMs ?? this.deadlineMs);

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.maxAttempts;
      // Pace under Cal.com's rate limit; a wait that outlasts the deadline is not worth it.
      const pace = this.pacer.schedule(Math.max(0, deadlineAt - this.now()));
      if (pace === undefined) {
        const waitMs = Math.round(this.pacer.nextFreeInMs());
        throw this.fail(new CalcomError({ operation, kind: 'rate_limited', attempts: attempt, retryAfterMs: waitMs }), context);
      }
      if (pace > 0) {
        this.logger.debug({ ...context, delayMs: Math.round(pace) }, 'cal.com request paced under the rate limit');
        await this.sleep(Math.round(pace));
      }
      const startedAt = this.now();
      let res: TransportResponse;
      try {
        res = await this.transport.send({ method: spec.method, path, headers, body: bodyText, timeoutMs });
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        this.observe(operation, err.kind, startedAt, attempt);
        const init = { operation, kind: err.kind as CalcomErrorKind, code: err.code, attempts: attempt, cause: err };
        if (!idempotent && !err.notSent) throw this.fail(new CalcomUnknownOutcomeError(init), context);
        if (last) throw this.fail(new CalcomError(init), context);
        await this.backoff(context, attempt, policy, err.kind, undefined);
        continue;
      }

      this.observe(operation, String(res.status), startedAt, attempt);
      this.pacer.observe(res.headers, startedAt);
      const json = parseJson(res.text);

      if (res.status >= 200 && res.status < 300) {
        const parsed = schema.safeParse(json);
        if (parsed.success) {
          this.logger.debug({ ...context, status: res.status, attempt }, 'cal.com request ok');
          return parsed.data;
        }
        // A 2xx means Cal.com acted; for a create the booking exists even if we cannot read it.
        const init = { operation, kind: 'invalid_response' as const, status: res.status, rawBody: res.text.slice(0, 2000), attempts: attempt, cause: parsed.error };
        throw this.fail(idempotent ? new CalcomError(init) : new CalcomUnknownOutcomeError(init), context);
      }

      const errorBody = calcomErrorBodySchema.safeParse(json);
      const init = {
        operation,
        kind: 'http' as const,
        status: res.status,
        attempts: attempt,
        ...(errorBody.success ? { calcom: errorBody.data.error as CalcomErrorDetail } : { rawBody: res.text.slice(0, 2000) }),
      };

      if (res.status === 429) {
        // Cal.com sends X-RateLimit-Reset-<Name> (seconds), no Retry-After (throttler-guard.ts).
        const wait = retryAfterMs(res.headers);
        if (wait !== undefined) this.pacer.block(wait);
        const delay = wait ?? backoffDelayMs(attempt, policy, this.random);
        const fits = delay <= policy.maxRetryAfterMs && this.now() + delay < deadlineAt;
        if (last || !fits) {
          throw this.fail(new CalcomError({ ...init, ...(wait !== undefined && { retryAfterMs: wait }) }), context);
        }
        await this.backoff(context, attempt, policy, '429', wait);
        continue;
      }
      if (res.status >= 500) {
        if (!idempotent) throw this.fail(new CalcomUnknownOutcomeError(init), context);
        if (last) throw this.fail(new CalcomError(init), context);
        await this.backoff(context, attempt, policy, String(res.status), undefined);
        continue;
      }
      throw this.fail(new CalcomError(init), context);
    }
  }

  private async backoff(context: object, attempt: number, policy: RetryPolicy, reason: string, serverWaitMs: number | undefined) {
    const delayMs = serverWaitMs ?? backoffDelayMs(attempt, policy, this.random);
    this.logger.warn({ ...context, attempt, reason, delayMs }, 'cal.com request failed, retrying');
    await this.sleep(delayMs);
  }

  /** Logs the final failure with Cal.com's explanation — the detail the old system never logged. */
  private fail(error: CalcomError, context: object): CalcomError {
    const fields = { ...context, err: error.toJSON() };
    if (isSlotTaken(error)) this.logger.info(fields, 'cal.com: slot not available');
    else if (isAlreadyCancelled(error)) this.logger.info(fields, 'cal.com: booking already cancelled');
    else if (error.kind === 'http' && error.status !== undefined && error.status < 500 && error.status !== 429 && error.status !== 404)
      this.logger.error(fields, 'cal.com refused the request');
    else this.logger.warn(fields, 'cal.com request failed');
    return error;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function queryString(query: RequestSpec['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body's structure without its values (names, emails and phones stay out of logs). */
function shapeOf(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return depth > 1 ? 'array' : value.slice(0, 1).map((v) => shapeOf(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 1) return 'object';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v, depth + 1)]));
  }
  return typeof value;
}
