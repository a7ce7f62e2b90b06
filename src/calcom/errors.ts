import type { CalcomOperation } from './operations.ts';

/**
 * Why a call failed:
 * - http: Cal.com answered with a non-2xx status (see `status` and `calcom`)
 * - network: no usable answer (refused, reset, dropped)
 * - timeout: no answer within the operation's timeout
 * - invalid_response: a 2xx whose body did not have the documented shape
 * - invalid_request: refused locally before sending (the body would earn a 400)
 */
export type CalcomErrorKind = 'http' | 'network' | 'timeout' | 'invalid_response' | 'invalid_request';

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
  }
}

export function isCalcomError(err: unknown): err is CalcomError {
  return err instanceof CalcomError;
}

export function isUnknownOutcome(err: unknown): err is CalcomUnknownOutcomeError {
  return err instanceof CalcomUnknownOutcomeError;
}

const SLOT_TAKEN_400 = /already has booking at this time or is not available/i;

/**
 * True when Cal.com refused because the time is no longer free:
 * 400 "User either already has booking at this time or is not available"
 * (teams: "One of the hosts either already has booking…"), 409 (someone else's
 * reservation, or the idempotency-key race "Trying to create a record that already
 * exists"), and 422 on reservations ("already booked" / "already reserved").
 */
export function isSlotTaken(err: unknown): boolean {
  if (!(err instanceof CalcomError) || err.kind !== 'http') return false;
  const message = err.calcom?.message ?? err.rawBody ?? '';
  if (err.status === 400) return SLOT_TAKEN_400.test(message);
  if (err.status === 409) return true;
  if (err.status === 422 && err.operation === 'reserve_slot') return /already (booked|reserved)/i.test(message);
  return false;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CalcomError && err.kind === 'http' && err.status === 404;
}

export function isAlreadyCancelled(err: unknown): boolean {
  return (
    err instanceof CalcomError &&
    err.kind === 'http' &&
    err.status === 400 &&
    /already (been )?cancel/i.test(err.calcom?.message ?? err.rawBody ?? '')
  );
}
