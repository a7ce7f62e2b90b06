import type { CalcomOperation } from './operations.ts';

/**
 * Why a call failed:
 * - http: Cal.com answered with a non-2xx status (see `status` and `calcom`)
 * - network: no usable answer (refused, reset, dropped)
 * - timeout: no answer within the operation's timeout
 * - invalid_response: a 2xx whose body did not have the documented shape
 * - invalid_request: refused locally before sending (the body would earn a 400)
 * - rate_limited: not sent, because Cal.com's rate limit leaves no room before the
 *   call's deadline (see rate-limit.ts); Cal.com did nothing
 */
export type CalcomErrorKind = 'http' | 'network' | 'timeout' | 'invalid_response' | 'invalid_request' | 'rate_limited';

/** Cal.com's own error body: `{status:"error", timestamp, path, error:{code,message,details}}`. */
export interface CalcomErrorDetail {
  code?: string;
  message?: string;
  details?: unknown;
}

export interface CalcomErrorInit {
  operation: CalcomOperation;
  kind: CalcomErrorKind;
  status?: number;
  calcom?: CalcomErrorDetail;
  /** Response body when it was not Cal.com's error envelope (truncated text). */
  rawBody?: string;
  retryAfterMs?: number;
  attempts?: number;
  /** Low-level code, e.g. ECONNREFUSED or UND_ERR_SOCKET. */
  code?: string;
  message?: string;
  cause?: unknown;
  /** Machine code of a local refusal, e.g. `invalid_phone` (see attendee.ts). */
  reason?: string;
  /** A German sentence the agent can say about it. */
  callerMessage?: string;
}

export class CalcomError extends Error {
  override name = 'CalcomError';
  readonly operation: CalcomOperation;
  readonly kind: CalcomErrorKind;
  readonly status: number | undefined;
  readonly calcom: CalcomErrorDetail | undefined;
  readonly rawBody: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  readonly code: string | undefined;
  readonly reason: string | undefined;
  readonly callerMessage: string | undefined;

  constructor(init: CalcomErrorInit) {
    super(init.message ?? describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status;
    this.calcom = init.calcom;
    this.rawBody = init.rawBody;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    this.code = init.code;
    this.reason = init.reason;
    this.callerMessage = init.callerMessage;
  }

  /** The label used for metrics: the HTTP status as a string, or network/timeout. */
  get statusLabel(): string {
    if (this.status !== undefined) return String(this.status);
    return this.kind === 'timeout' ? 'timeout' : this.kind === 'network' ? 'network' : this.kind;
  }

  /** A log-friendly summary (pino serialises this instead of the prototype chain). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      kind: this.kind,
      status: this.status,
      calcom: this.calcom,
      rawBody: this.rawBody,
      attempts: this.attempts,
      code: this.code,
      retryAfterMs: this.retryAfterMs,
      reason: this.reason,
    };
  }
}

/**
 * A create/reschedule/reserve was sent but we cannot tell whether Cal.com acted:
 * a timeout, a dropped connection or a 5xx after sending. Never retry blindly —
 * reconcile by looking the booking up (see reconcile.ts).
 */
export class CalcomUnknownOutcomeError extends CalcomError {
  override name = 'CalcomUnknownOutcomeError';
  /** Also tells the two classes apart for TypeScript's structural narrowing. */
  readonly outcome = 'unknown' as const;
}

function describe(init: CalcomErrorInit): string {
  const head = `Cal.com ${init.operation} failed`;
  switch (init.kind) {
    case 'http': {
      const c = init.calcom;
      const detail = c ? [c.code, c.message].filter(Boolean).join(': ') : init.rawBody?.slice(0, 200);
      return `${head}: HTTP ${init.status}${detail ? ` ${detail}` : ''}`;
    }
    case 'timeout':
      return `${head}: timed out`;
    case 'network':
      return `${head}: network error${init.code ? ` ${init.code}` : ''}`;
    case 'invalid_response':
      return `${head}: unexpected response shape (HTTP ${init.status})`;
    case 'invalid_request':
      return `${head}: invalid request`;
    case 'rate_limited':
      return `${head}: not sent, Cal.com's rate limit leaves no room before the deadline`;
  }
}

export function isCalcomError(err: unknown): err is CalcomError {
  return err instanceof CalcomError;
}

export function isUnknownOutcome(err: unknown): err is CalcomUnknownOutcomeError {
  return err instanceof CalcomUnknownOutcomeError;
}

/** The message of a Cal.com error answer: the envelope's, or a raw NestJS body's `message`. */
function messageOf(err: CalcomError): string {
  if (err.calcom?.message) return err.calcom.message;
  const raw = err.rawBody ?? '';
  try {
    const parsed = JSON.parse(raw) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: match on the text itself
  }
  return raw;
}

/*
 * "Slot taken" as Cal.com words it:
 * - 400 "User either already has booking at this time or is not available" and, for team
 *   events, "One of the hosts either already has booking at this time or is not available"
 *   (apps/api/v2/src/ee/bookings/2024-08-13/services/errors.service.ts)
 * - "Someone else reserved this booking time slot before you. This time slot will be freed
 *   up in N seconds." — 409 in newer versions, 400 in older ones
 *   (apps/api/v2/src/ee/bookings/2024-08-13/controllers/e2e/reserved-slot-bookings.e2e-spec.ts)
 * - 409 "Invalid Input: Trying to create a record that already exists." (the idempotency-key
 *   race, apps/api/v2/src/filters/prisma-exception.filter.ts)
 * - 422 on reservations: "Can't reserve a slot if the event is already booked." / "This time
 *   slot is already reserved by another user. …"
 *   (apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts)
 */
const SLOT_TAKEN_400 = /already has booking at this time or is not available|reserved this booking time slot before you/i;
const RESERVE_TAKEN_422 = /already (booked|reserved)/i;

/** True when Cal.com refused because the time is no longer free (every form above). */
export function isSlotTaken(err: unknown): boolean {
  if (!(err instanceof CalcomError) || err.kind !== 'http') return false;
  const message = messageOf(err);
  if (err.status === 400) return SLOT_TAKEN_400.test(message);
  if (err.status === 409) return true;
  if (err.status === 422 && err.operation === 'reserve_slot') return RESERVE_TAKEN_422.test(message);
  return false;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CalcomError && err.kind === 'http' && err.status === 404;
}

/*
 * "Already cancelled" as Cal.com words it: the 2024-08-13 input service refuses before
 * handleCancelBooking runs — 400 "Can't cancel booking with uid=X because it has been
 * cancelled already. Please provide uid of a booking that is not cancelled."
 * (apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts); handleCancelBooking's own
 * "This booking has already been cancelled." (packages/features/bookings/lib/handleCancelBooking.ts)
 * is kept for other paths and versions.
 */
const ALREADY_CANCELLED = /because it has been cancelled already|has already been cancell?ed/i;

/** True when Cal.com refused a cancel because the booking is cancelled already: the cancel converged. */
export function isAlreadyCancelled(err: unknown): boolean {
  return err instanceof CalcomError && err.kind === 'http' && err.status === 400 && ALREADY_CANCELLED.test(messageOf(err));
}

export type CancelRefusal = 'cancelling_disabled' | 'booking_ended';

/**
 * Why Cal.com refuses to cancel a live booking, if it does (packages/features/bookings/lib/
 * handleCancelBooking.ts): "This event type does not allow cancellations" (event type with
 * disable-cancelling) and "Cannot cancel a booking that has already ended". Neither converges:
 * the booking stays live in Cal.com.
 */
export function cancelRefusal(err: unknown): CancelRefusal | undefined {
  if (!(err instanceof CalcomError) || err.kind !== 'http' || err.status !== 400) return undefined;
  const message = messageOf(err);
  if (/does not allow cancell?ations/i.test(message)) return 'cancelling_disabled';
  if (/cannot cancel a booking that has already ended/i.test(message)) return 'booking_ended';
  return undefined;
}

/** A 429 from Cal.com, or a request the client held back because the rate limit had no room. */
export function isRateLimited(err: unknown): boolean {
  return err instanceof CalcomError && (err.kind === 'rate_limited' || (err.kind === 'http' && err.status === 429));
}
