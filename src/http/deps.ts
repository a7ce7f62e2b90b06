import type { Logger } from 'pino';
import type { Core } from '../core.ts';
import type { BodyBudget } from './body.ts';
import type { CallStats } from '../stats/index.ts';
import type { AppointmentSync } from '../sync/index.ts';

export interface HttpConfig {
  /** Key Retell signs requests with (x-retell-signature). */
  retellApiKey: string;
  /** Secret Cal.com signs webhooks with (X-Cal-Signature-256). */
  calcomWebhookSecret: string;
  /** Each function answers within this; a slower command replies "einen Moment". */
  functionDeadlineMs: number;
  /** Bodies of Cal.com webhooks and /api requests. */
  bodyLimitBytes: number;
  /** Retell bodies carry whole call objects (transcripts): megabytes for long calls. */
  limits: { functionBytes: number; webhookBytes: number };
  /** How many days ahead a caller may book. */
  bookingHorizonDays: number;
  /** /healthz turns 503 once Redis has not answered for this long. */
  redisDownGraceMs: number;
}

export interface HttpDeps {
  core: Core;
  stats: CallStats;
  /** Appointments made through the API/admin, pushed to Cal.com by a queued job. */
  sync: AppointmentSync;
  config: HttpConfig;
  /** Bytes of request bodies held at once, across all requests. */
  bodyBudget: BodyBudget;
  /** Named checks for /readyz: each resolves true when its dependency answers. */
  readiness: Record<string, () => Promise<boolean>>;
  now: () => number;
  logger: Logger;
}
