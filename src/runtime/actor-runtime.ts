import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { actorNameOf, type Actor } from './actor.ts';
import { closeWorker } from './close-worker.ts';
import { commandSchema, failure, jobIdOf, type Command, type Reply } from './command.ts';
import { mailboxName, partitionOf } from './partition.ts';
import { connectRedis, type RedisEndpoint } from './redis-connection.ts';
import { ReplyChannel } from './reply-channel.ts';

export interface RuntimeObserver {
  /** A job left a mailbox: `failed` when its handler threw or was unknown. */
  jobFinished?(outcome: 'completed' | 'failed', mailboxWaitSeconds: number): void;
}

export interface ActorRuntimeOptions {
  redis: RedisEndpoint;
  /** BullMQ key prefix; processes sharing a prefix share the mailboxes. */
  prefix: string;
  partitions: number;
  /** How long finished commands (and so their replies) are kept for repeated ids. */
  retentionSeconds: number;
  /** A job whose worker stops renewing its lock this long is handed to another worker. */
  lockDurationMs?: number;
  /** While waiting, the finished result is also polled this often (covers lost pub/sub messages). */
  pollIntervalMs?: number;
  defaultDeadlineMs?: number;
  logger: Logger;
  observer?: RuntimeObserver;
  now?: () => number;
}

export interface CommandInput {
  id: string;
  type: string;
  payload?: unknown;
  callId?: string;
}

/**
 * Slot actors on BullMQ. Keys are hashed onto N partition queues ("mailboxes"); each
 * mailbox is consumed by one job at a time across all processes (worker concurrency 1
 * and the queue's global concurrency 1), so a key's commands run in arrival order and
 * never overlap. Lifecycle: `create` → `register` actors → `startConsuming` → `close`.
 */
export class ActorRuntime {
  private readonly actors = new Map<string, Actor>();
  private readonly workers: Worker[] = [];
  /** When each mailbox's last command finished in this process (epoch ms). */
  private readonly lastFinished = new Map<string, number>();
  /** Job ids whose handler asked to release the command id once the job is finished. */
  private readonly released = new Set<string>();
  private closing = false;
  /** Resolves once local workers have stopped; waiting asks then settle from stored results. */
  private workersStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.workersStopped = resolve));
  private readonly now: () => number;

  private constructor(
    private readonly options: ActorRuntimeOptions,
    private readonly client: Redis,
    private readonly queues: Queue[],
    private readonly replies: ReplyChannel,
  ) {
    this.now = options.now ?? Date.now;
  }

  static async create(options: ActorRuntimeOptions): Promise<ActorRuntime> {
    const client = connectRedis(options.redis);
    const subscriber = connectRedis(options.redis);
    for (const connection of [client, subscriber]) {
      connection.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error'));
    }
    const queues = Array.from(
      { length: options.partitions },
      (_, partition) => new Queue(mailboxName(partition), { connection: client, prefix: options.prefix }),
    );
    await Promise.all(queues.map((queue) => queue.setGlobalConcurrency(1)));
    const replies = await ReplyChannel.open(subscriber, client, `${options.prefix}:replies`);
    return new ActorRuntime(options, client, queues, replies);
  }

  register(actor: Actor): this {
    if (this.actors.has(actor.name)) throw new Error(`actor "${actor.name}" is already registered`);
    this.actors.set(actor.name, actor);
    return this;
  }

  /** Starts one worker per mailbox in this process. */
  async startConsuming(): Promise<void> {
    if (this.workers.length > 0) return;
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    for (const [index, queue] of this.queues.entries()) {
      const worker = new Worker<Command, Reply>(queue.name, (job) => this.process(job), {
        connection: this.client,
        prefix: this.options.prefix,
        concurrency: 1,
        lockDuration,
        stalledInterval: lockDuration,
        // A command whose process died is always delivered again; handlers converge.
        maxStalledCount: 1_000_000,
        // An idle worker re-polls Redis when its blocking wait (this many seconds) times out; a new
        // command wakes it at once regardless. With BullMQ's 5 s for all, hundreds of idle mailboxes
        // re-polled in one burst every 5 s, most of Redis's work; spread over 20–39 s they trickle.
        drainDelay: 20 + (index % 20),
        autorun: false,
      });
      worker.on('error', (error) => this.options.logger.error({ err: error, queue: queue.name }, 'worker error'));
      worker.on('completed', (job, reply: Reply) => {
        if (!this.released.delete(job.id!)) return;
        // Released ids answer only once the job is gone, so a retry right after the answer runs anew.
        job
          .remove()
          .catch((error) => this.options.logger.warn({ err: error, jobId: job.id }, 'could not release command id'))
          .then(() => this.replies.publish(job.id!, reply))
          .catch(() => {}); // the asker polls the stored result
      });
      this.workers.push(worker);
      void worker.run();
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /**
   * Sends a command to the actor owning `key` and waits for its reply until the deadline.
   * A repeated command id does not run again: it returns the first run's reply.
   */
  async ask<T = unknown>(key: string, input: CommandInput, opts: { deadlineMs?: number } = {}): Promise<Reply<T>> {
    const deadlineMs = opts.deadlineMs ?? this.options.defaultDeadlineMs ?? 8000;
    const parsed = this.toCommand(key, input, deadlineMs);
    if (!parsed.ok) return parsed;
    const command = parsed.value;
    const jobId = jobIdOf(command.id);
    const queue = this.queueFor(key);
    const waiting = this.replies.wait(jobId);
    let timer: NodeJS.Timeout | undefined;
    try {
      const [finished] = await Promise.all([this.finishedReply(queue, jobId), this.enqueue(queue, jobId, command)]);
      if (finished) return finished as Reply<T>;

      const pollEvery = this.options.pollIntervalMs ?? 1000;
      const polled = new Promise<Reply | undefined>((resolve) => {
        const tick = async () => {
          const remaining = command.deadline - this.now();
          const reply = await this.finishedReply(queue, jobId).catch(() => undefined);
          if (reply || remaining <= 0) return resolve(reply);
          timer = setTimeout(tick, Math.min(pollEvery, remaining));
        };
        timer = setTimeout(tick, Math.min(pollEvery, deadlineMs));
      });
      const settledOnClose = this.stopped.then(() => this.finishedReply(queue, jobId).catch(() => undefined));
      const reply = await Promise.race([waiting.reply, polled, settledOnClose]);
      if (!reply && this.closing) return failure('closed', 'runtime is shutting down');
      return (reply ??
        failure('timeout', `command ${command.id} did not finish within ${deadlineMs} ms; it is still running — ask again with the same id for its result`)) as Reply<T>;
    } catch (error) {
      return failure('closed', `command could not be sent: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      waiting.cancel();
    }
  }

  /**
   * Whether a command with this id is queued, running or finished (its reply kept): asking
   * again then joins it or returns its reply instead of running anything.
   */
  async knows(key: string, commandId: string): Promise<boolean> {
    return (await this.client.exists(`${this.options.prefix}:${this.queueFor(key).name}:${jobIdOf(commandId)}`)) === 1;
  }

  /** Fire-and-forget: the command is durably queued when this resolves. */
  async tell(key: string, input: CommandInput): Promise<Reply<{ queued: true }>> {
    const parsed = this.toCommand(key, input, this.options.defaultDeadlineMs ?? 8000);
    if (!parsed.ok) return parsed;
    await this.enqueue(this.queueFor(key), jobIdOf(parsed.value.id), parsed.value);
    return { ok: true, value: { queued: true } };
  }

  /** Stops taking work, lets in-flight jobs finish, then closes every connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(this.workers.map((worker) => closeWorker(worker)));
    this.workersStopped();
    await Promise.all(this.queues.map((queue) => queue.close()));
    await this.replies.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  partitionOf(key: string): number {
    return partitionOf(key, this.queues.length);
  }

  private toCommand(key: string, input: CommandInput, deadlineMs: number): Reply<Command> {
    if (this.closing) return failure('closed', 'runtime is shutting down');
    const parsed = commandSchema.safeParse({ ...input, payload: input.payload ?? null, key, deadline: this.now() + deadlineMs });
    if (!parsed.success) {
      return failure('invalid_command', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return { ok: true, value: parsed.data };
  }

  private queueFor(key: string): Queue {
    return this.queues[partitionOf(key, this.queues.length)]!;
  }

  private enqueue(queue: Queue, jobId: string, command: Command): Promise<unknown> {
    const keep = { age: this.options.retentionSeconds };
    return queue.add(command.type, command, { jobId, removeOnComplete: keep, removeOnFail: keep });
  }

  /** The reply of a job that already finished, straight from its hash; undefined while it runs. */
  private async finishedReply(queue: Queue, jobId: string): Promise<Reply | undefined> {
    const [returnvalue, failedReason] = await this.client.hmget(`${this.options.prefix}:${queue.name}:${jobId}`, 'returnvalue', 'failedReason');
    if (returnvalue) return JSON.parse(returnvalue) as Reply;
    if (failedReason) return failure('handler_error', failedReason);
    return undefined;
  }

  private async process(job: Job<Command, Reply>): Promise<Reply> {
    const command = job.data;
    const waitSeconds = Math.max(0, this.now() - job.timestamp) / 1000;
    const log = this.options.logger.child({ commandId: command.id, key: command.key, type: command.type, callId: command.callId });
    const waitedBehindMs = Math.max(0, (this.lastFinished.get(job.queueName) ?? 0) - job.timestamp);
    const reply = await this.dispatch(command, waitedBehindMs, log, () => this.released.add(job.id!));
    this.lastFinished.set(job.queueName, this.now());
    this.options.observer?.jobFinished?.(reply.ok ? 'completed' : 'failed', waitSeconds);
    // Reply before BullMQ marks the job finished: the asker needs not wait for that round trip.
    // Not awaited: the publish is queued on the connection ahead of BullMQ's moveToFinished anyway.
    // A released id's reply waits for the job's removal and goes through Redis only (see 'completed').
    if (!this.released.has(job.id!)) {
      this.replies.answerHere(job.id!, reply);
      this.replies.publish(job.id!, reply).catch((error) => log.warn({ err: error }, 'reply publish failed; asker will poll'));
    }
    return reply;
  }

  private async dispatch(command: Command, waitedBehindMs: number, log: Logger, releaseId: () => void): Promise<Reply> {
    const handler = this.actors.get(actorNameOf(command.key))?.handlers[command.type];
    if (!handler) {
      log.warn('no handler for command');
      return failure('unknown_command', `no handler "${command.type}" for key ${command.key}`);
    }
    try {
      const ctx = { key: command.key, commandId: command.id, callId: command.callId, deadline: command.deadline, waitedBehindMs, log, releaseId };
      const value = await handler(ctx, command.payload);
      return { ok: true, value: value ?? null };
    } catch (error) {
      log.error({ err: error }, 'handler failed');
      return failure('handler_error', (error as Error)?.message ?? String(error));
    }
  }
}
