import { createHash } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job, type JobState } from 'bullmq';
import { closeWorker } from '../runtime/close-worker.ts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { bookingRequestSchema } from '../actors/book.ts';
import type { BookOutcome, BookingService } from '../actors/booking-service.ts';
import type { CatalogIndex } from '../catalog/index.ts';
import type { ActorRuntime } from '../runtime/actor-runtime.ts';
import { connectRedis, type RedisEndpoint } from '../runtime/redis-connection.ts';
import type { Appointment, Store } from '../store/index.ts';

/** An appointment made outside the voice flow, to be booked into Cal.com. */
export const syncInputSchema = bookingRequestSchema.extend({
  origin: z.enum(['api', 'admin']),
  /** The caller's idempotency key: submitting it again never books twice. */
  requestId: z.string().min(1).max(200),
  language: z.string().min(2).max(5).optional(),
});
export type SyncInput = z.input<typeof syncInputSchema>;
type SyncJobData = z.output<typeof syncInputSchema>;

/** What a finished sync job returns. */
export interface SyncResult {
  appointmentId: number;
  calcomUids: string[];
}

export interface SyncStatus {
  syncId: string;
  requestId: string;
  /** The job's state; `unknown` once BullMQ no longer keeps it (the rows still tell). */
  state: JobState | 'unknown';
  attemptsMade: number;
  /** The error of the last failed attempt, if any (kept after a later success). */
  failedReason: string | undefined;
  result: SyncResult | undefined;
  /** The appointment rows of this request (one per Cal.com booking), with their sync_status. */
  appointments: Appointment[];
}

/** What happens to a sync, for logs and metrics. */
export type SyncEvent =
  | { type: 'attempt'; requestId: string; attempt: number; at: number }
  | { type: 'synced'; requestId: string; attempt: number; appointmentId: number }
  | { type: 'retry'; requestId: string; attempt: number; error: string }
  | { type: 'review'; requestId: string; attempt: number; error: string };

export interface AppointmentSyncOptions {
  redis: RedisEndpoint;
  /** BullMQ key prefix (the service's queue prefix). */
  prefix: string;
  booking: BookingService;
  store: Store;
  catalog: CatalogIndex;
  logger: Logger;
  /** Not needed (bookings go through `booking`); accepted so callers can pass the core as is. */
  runtime?: ActorRuntime;
  /** Waits before the 2nd, 3rd, … attempt; attempts = backoffsMs.length + 1. Default 1 s, 5 s, 30 s. */
  backoffsMs?: number[];
  /** How long one attempt waits for the slot actor's answer (default 30 s); a timeout is retried. */
  attemptDeadlineMs?: number;
  /** Jobs processed at once by this process (default 4); the slot actors still serialise per calendar-day. */
  concurrency?: number;
  /** How long finished jobs are kept for `status` and duplicate detection (default 7 days). */
  retentionSeconds?: number;
  /** Run the worker in this process (default true). */
  consume?: boolean;
  observe?: (event: SyncEvent) => void;
}

/** A submit refused before anything was queued (bad input, unknown service). */
export class SyncRejectedError extends Error {
  override name = 'SyncRejectedError';
  constructor(
    readonly code: 'invalid_input' | 'unknown_service',
    message: string,
  ) {
    super(message);
  }
}

const QUEUE = 'sync';
export const DEFAULT_SYNC_BACKOFFS_MS: readonly number[] = [1000, 5000, 30_000];

/** The command id the slot actor sees for a sync request (and the origin marker in Cal.com metadata). */
export const syncCommandId = (requestId: string) => `sync:${requestId}`;
/** The BullMQ job id of a request: a digest, since request ids are free text (BullMQ refuses ':' and all-digit ids). */
export const syncIdOf = (requestId: string) => `s_${createHash('sha256').update(requestId).digest('base64url').slice(0, 32)}`;

/**
 * Sync of appointments made outside the voice flow (API, admin): each request is a job on
 * its own BullMQ queue (`sync`) whose attempt books through the slot actor with command id
 * `sync:{requestId}`, so retries and duplicate submits converge on one booking. Transient
 * failures (Cal.com errors, a timeout) are retried after 1 s, 5 s, 30 s; a taken slot or a
 * refused request is final at once. When it ends without a booking, its rows (if the actor
 * got as far as writing an intent) are flagged `review` with the error. Our Cal.com bookings
 * carry `metadata.commandId` and `metadata.origin`, so the webhook of a synced booking does
 * not come back as a second appointment (see actors/reconcile.ts).
 * Lifecycle: `start` → `submit` / `status` → `close`.
 */
export class AppointmentSync {
  private constructor(
    private readonly options: AppointmentSyncOptions,
    private readonly queue: Queue<SyncJobData, SyncResult>,
    private readonly worker: Worker<SyncJobData, SyncResult> | undefined,
    private readonly connections: Redis[],
    private readonly backoffsMs: number[],
  ) {}

  static async start(options: AppointmentSyncOptions): Promise<AppointmentSync> {
    const backoffsMs = [...(options.backoffsMs ?? DEFAULT_SYNC_BACKOFFS_MS)];
    if (backoffsMs.some((ms) => !Number.isFinite(ms) || ms < 0)) throw new RangeError('backoffsMs must be non-negative numbers');
    const connection = connectRedis(options.redis);
    const connections = [connection];
    const queue = new Queue<SyncJobData, SyncResult>(QUEUE, { connection, prefix: options.prefix });
    connection.on('error', (error) => options.logger.warn({ err: error }, 'sync redis error'));
    queue.on('error', (error) => options.logger.warn({ err: error }, 'sync redis error'));
    await queue.waitUntilReady();
    let worker: Worker<SyncJobData, SyncResult> | undefined;
    const sync = () => instance; // the processor runs only after `instance` is assigned (autorun: false)
    if (options.consume ?? true) {
      const workerConnection = connectRedis(options.redis);
      workerConnection.on('error', (error) => options.logger.warn({ err: error }, 'sync redis error'));
      connections.push(workerConnection);
      worker = new Worker<SyncJobData, SyncResult>(QUEUE, (job) => sync().process(job), {
        connection: workerConnection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 4,
        autorun: false,
        settings: {
          // attemptsMade is 1 after the first failure: wait backoffsMs[0] before the second attempt.
          backoffStrategy: (attemptsMade: number) => backoffsMs[Math.min(attemptsMade, backoffsMs.length) - 1] ?? 0,
        },
      });
      worker.on('error', (error) => options.logger.error({ err: error }, 'sync worker error'));
    }
    const instance: AppointmentSync = new AppointmentSync(options, queue, worker, connections, backoffsMs);
    if (worker) {
      void worker.run();
      await worker.waitUntilReady();
    }
    return instance;
  }

  /**
   * Queues a request. Submitting the same `requestId` again returns the same `syncId` and
   * queues nothing (while the job is kept); even after that, the booking is made only once.
   */
  async submit(raw: SyncInput): Promise<{ syncId: string }> {
    const parsed = syncInputSchema.safeParse(raw);
    if (!parsed.success) throw new SyncRejectedError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const input = parsed.data;
    if (!this.options.catalog.service(input.companyId, input.serviceId)) {
      throw new SyncRejectedError('unknown_service', `service ${input.serviceId} is not offered by ${input.companyId}`);
    }
    const syncId = syncIdOf(input.requestId);
    const keep = { age: this.options.retentionSeconds ?? 7 * 86_400 };
    await this.queue.add('book', input, {
      jobId: syncId,
      attempts: this.backoffsMs.length + 1,
      backoff: { type: 'sync' },
      removeOnComplete: keep,
      removeOnFail: keep,
    });
    this.options.logger.info({ requestId: input.requestId, syncId, origin: input.origin }, 'appointment sync queued');
    return { syncId };
  }

  /** The job's state and the request's appointment rows; undefined if neither exists. */
  async status(requestId: string): Promise<SyncStatus | undefined> {
    const syncId = syncIdOf(requestId);
    // State first: a job seen finished is read after it finished, never the other way round.
    const state = await this.queue.getJobState(syncId);
    const job = await this.queue.getJob(syncId);
    const appointments = await this.options.store.appointments.byGroup(syncCommandId(requestId));
    if (!job && appointments.length === 0) return undefined;
    return {
      syncId,
      requestId,
      state: job ? state : 'unknown',
      attemptsMade: job?.attemptsMade ?? 0,
      failedReason: job?.failedReason || undefined,
      result: job?.returnvalue ?? undefined,
      appointments,
    };
  }

  async close(): Promise<void> {
    if (this.worker) await closeWorker(this.worker);
    await this.queue.close();
    for (const connection of this.connections) await connection.quit().catch(() => connection.disconnect());
  }

  /** One attempt. Throws to retry; throws UnrecoverableError when retrying cannot help. */
  private async process(job: Job<SyncJobData, SyncResult>): Promise<SyncResult> {
    const input = job.data;
    const commandId = syncCommandId(input.requestId);
    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);
    const log = this.options.logger.child({ requestId: input.requestId, commandId, attempt });
    this.options.observe?.({ type: 'attempt', requestId: input.requestId, attempt, at: Date.now() });
    try {
      const outcome = await this.options.booking.book(
        commandId,
        {
          companyId: input.companyId,
          serviceId: input.serviceId,
          start: input.start,
          customer: input.customer,
          origin: input.origin,
          ...(input.language && { language: input.language }),
        },
        this.options.attemptDeadlineMs ?? 30_000,
      );
      return await this.settle(input.requestId, attempt, outcome, log);
    } catch (error) {
      const final = lastAttempt || isUnrecoverable(error);
      const message = (error as Error)?.message ?? String(error);
      await this.flag(commandId, final ? 'review' : 'pending', attempt, message);
      this.options.observe?.({ type: final ? 'review' : 'retry', requestId: input.requestId, attempt, error: message });
      if (final) log.error({ err: error }, 'appointment sync gave up: flagged for review');
      else log.warn({ err: error }, 'appointment sync attempt failed: retrying');
      throw error;
    }
  }

  private async settle(requestId: string, attempt: number, outcome: BookOutcome, log: Logger): Promise<SyncResult> {
    switch (outcome.status) {
      case 'booked': {
        const { appointment } = outcome;
        await this.options.store.transaction(async ({ appointments }) => {
          for (const row of await appointments.byGroup(syncCommandId(requestId))) await appointments.setSync(row.id, 'synced', attempt, null);
        });
        this.options.observe?.({ type: 'synced', requestId, attempt, appointmentId: appointment.appointmentId });
        log.info({ appointmentId: appointment.appointmentId, uids: appointment.calcomUids }, 'appointment synced to Cal.com');
        return { appointmentId: appointment.appointmentId, calcomUids: appointment.calcomUids };
      }
      case 'slot_unavailable':
        throw new UnrecoverableError(`slot_unavailable: ${outcome.reason}`);
      case 'rejected':
        throw new UnrecoverableError(`${outcome.code}: ${outcome.message}`);
      default:
        // 'error' (the actor released the command id, so the retry runs again) or 'pending'
        // (the deadline passed; the retry asks for the same command's result).
        throw new Error(`${outcome.code}: ${outcome.message}`);
    }
  }

  /** Records the attempt on the request's rows, if the actor wrote any. */
  private async flag(commandId: string, status: 'pending' | 'review', attempts: number, error: string): Promise<void> {
    try {
      await this.options.store.transaction(async ({ appointments }) => {
        for (const row of await appointments.byGroup(commandId)) {
          // A row that did get booked (e.g. settled meanwhile) is in sync whatever this attempt said.
          if (row.status === 'booked') await appointments.setSync(row.id, 'synced', attempts, null);
          else await appointments.setSync(row.id, status, attempts, error);
        }
      });
    } catch (flagError) {
      this.options.logger.error({ err: flagError, commandId }, 'could not record the sync attempt on its appointment rows');
    }
  }
}

function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error as Error)?.name === 'UnrecoverableError';
}
