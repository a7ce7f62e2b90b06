import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  actorNameOf,
  compose,
  deferred,
  isDeferred,
  type Actor,
  type ActorContext,
  type Deferred,
  type HandlerCall,
  type HandlerDefinition,
  type InputOf,
  type OutputOf,
  type Settled,
} from './actor.ts';
import { measureWaits } from '../observability/waits.ts';
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
  /**
   * A job whose worker stops renewing its lock this long is handed to another worker; a command
   * whose effect's process stops renewing its lease this long is delivered again.
   */
  lockDurationMs?: number;
  /** While waiting, the finished result is also polled this often (covers lost pub/sub messages). */
  pollIntervalMs?: number;
  defaultDeadlineMs?: number;
  /** Effects (work outside the mailboxes, e.g. Cal.com calls) run at once in this process, at most. */
  effectConcurrency?: number;
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

/** How a command is sent through a typed client: its idempotency id, call and deadline. */
export interface SendOptions {
  id: string;
  callId?: string;
  deadlineMs?: number;
}

/** A typed client of one actor: a method per handler, `tell` for fire-and-forget. */
export type ActorClient<A extends Actor> = {
  [K in keyof A['handlers'] & string]: (key: string, input: InputOf<A['handlers'][K]>, options: SendOptions) => Promise<Reply<OutputOf<A['handlers'][K]>>>;
} & {
  tell: { [K in keyof A['handlers'] & string]: (key: string, input: InputOf<A['handlers'][K]>, options: SendOptions) => Promise<Reply<{ queued: true }>> };
  /** Whether a command with this id is queued, running or finished (asking again joins it). */
  knows(key: string, commandId: string): Promise<boolean>;
  /** Whether a command with this id is queued, running or waiting on its effect: not finished yet. */
  running(key: string, commandId: string): Promise<boolean>;
};

/**
 * A command's job once a step deferred: which step, the effect it waits for, and — once that
 * effect finished — its result, which the next delivery settles with.
 */
interface CommandJob extends Command {
  step?: number;
  effect?: unknown;
  result?: EffectResult;
  /** Time the command's effects took so far, and of it their waits on outside services, ms. */
  effectMs?: number;
  effectWaitMs?: number;
}

type EffectResult = Settled<unknown> & { ms: number; waitMs: number; finishedAt: number };

/** Where versions before in-process effects queued them (see `releaseEffectsOfEarlierVersions`). */
const LEGACY_EFFECTS_QUEUE = 'effects';

/**
 * Slot actors on BullMQ. Keys are hashed onto N partition queues ("mailboxes"); each
 * mailbox is consumed by one job at a time across all processes (worker concurrency 1
 * and the queue's global concurrency 1), so a key's commands run in arrival order and
 * never overlap. Lifecycle: `create` → `register` actors → `startConsuming` → `close`.
 */
export class ActorRuntime {
  /** `{actor}.{type}` → the handler's definition and its steps composed with the actor's middleware. */
  private readonly handlers = new Map<string, { definition: HandlerDefinition<any, any, any, any>; step: (call: HandlerCall) => Promise<unknown> }>();
  private readonly workers: Worker[] = [];
  /** When each mailbox's last command finished in this process (epoch ms). */
  private readonly lastFinished = new Map<string, number>();
  /** Job ids whose handler asked to release the command id once the job is finished. */
  private readonly released = new Set<string>();
  /** Effects running in this process; `close` lets them finish and hand their results back. */
  private readonly effectsRunning = new Set<Promise<void>>();
  /** Effects waiting for one of the `effectConcurrency` places. */
  private readonly effectQueue: Array<() => void> = [];
  private effectsActive = 0;
  private closing = false;
  /**
   * The asks waiting right now, each told once local workers have stopped (they then settle from
   * stored results). A set each ask leaves when it returns — not reactions on one shared promise,
   * which would keep every ask's closure (~1 KB) alive until shutdown.
   */
  private readonly stopListeners = new Set<() => void>();
  private workersHaveStopped = false;
  private readonly now: () => number;

  private constructor(
    private readonly options: ActorRuntimeOptions,
    private readonly connection: Redis,
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

  register<A extends Actor>(actor: A): A {
    if ([...this.handlers.keys()].some((name) => name.startsWith(`${actor.name}.`))) throw new Error(`actor "${actor.name}" is already registered`);
    for (const [type, definition] of Object.entries(actor.handlers)) {
      this.handlers.set(`${actor.name}.${type}`, { definition, step: compose(actor.use, (call) => runStep(definition, call)) });
    }
    return actor;
  }

  /** A typed client of a registered actor's handlers: `slot.book(key, input, { id })`. */
  client<A extends Actor>(actor: A): ActorClient<A> {
    const send = (tell: boolean) =>
      Object.fromEntries(
        Object.keys(actor.handlers).map((type) => [
          type,
          (key: string, payload: unknown, { id, callId, deadlineMs }: SendOptions) => {
            const command = { id, type, payload, ...(callId && { callId }) };
            return tell ? this.tell(key, command) : this.ask(key, command, { deadlineMs });
          },
        ]),
      );
    return {
      ...send(false),
      tell: send(true),
      knows: (key: string, id: string) => this.knows(key, id),
      running: (key: string, id: string) => this.running(key, id),
    } as ActorClient<A>;
  }

  /** Starts one worker per mailbox in this process. */
  async startConsuming(): Promise<void> {
    if (this.workers.length > 0) return;
    await this.releaseEffectsOfEarlierVersions();
    const lockDuration = this.lockDuration;
    for (const [index, queue] of this.queues.entries()) {
      const worker = new Worker<CommandJob, Reply>(queue.name, (job, token) => this.process(job, token!), {
        connection: this.connection,
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
   * Commands parked by an earlier version — each effect a child job on an `effects` queue, the
   * command waiting for it — come back to their mailboxes, where their effect runs again as a
   * redelivery (no worker here takes that queue any more). An effect an older process still
   * holds (its lock is alive) is left to finish; its command then comes back by itself.
   */
  private async releaseEffectsOfEarlierVersions(): Promise<void> {
    const legacy = new Queue(LEGACY_EFFECTS_QUEUE, { connection: this.connection, prefix: this.options.prefix });
    try {
      for (const child of await legacy.getJobs(['waiting', 'delayed', 'prioritized', 'paused', 'active'])) {
        if (!child || (await this.connection.exists(`${legacy.toKey(child.id!)}:lock`))) continue;
        try {
          await child.removeChildDependency(); // the command's last child: it moves back to its mailbox
          await child.remove();
          this.options.logger.warn({ jobId: child.id, parent: child.parentKey }, 'effect of an earlier version: its command runs it again');
        } catch (error) {
          // One that cannot be released does not keep the others parked.
          this.options.logger.warn({ err: error, jobId: child.id }, 'could not release an effect of an earlier version');
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not list effects of an earlier version');
    } finally {
      await legacy.close();
    }
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
    let workersStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (workersStopped = resolve));
    if (this.workersHaveStopped) workersStopped();
    else this.stopListeners.add(workersStopped);
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
      const settledOnClose = stopped.then(() => this.finishedReply(queue, jobId).catch(() => undefined));
      const reply = await Promise.race([waiting.reply, polled, settledOnClose]);
      if (!reply && this.closing) return failure('closed', 'runtime is shutting down');
      return (reply ??
        failure('timeout', `command ${command.id} did not finish within ${deadlineMs} ms; it is still running — ask again with the same id for its result`)) as Reply<T>;
    } catch (error) {
      return failure('closed', `command could not be sent: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      waiting.cancel();
      this.stopListeners.delete(workersStopped);
    }
  }

  /**
   * Whether a command with this id is queued, running or finished (its reply kept): asking
   * again then joins it or returns its reply instead of running anything.
   */
  async knows(key: string, commandId: string): Promise<boolean> {
    return (await this.connection.exists(this.jobKey(key, commandId))) === 1;
  }

  /** Whether a command with this id is queued, running or waiting on its effect: not finished yet. */
  async running(key: string, commandId: string): Promise<boolean> {
    const [timestamp, finishedOn] = await this.connection.hmget(this.jobKey(key, commandId), 'timestamp', 'finishedOn');
    return timestamp !== null && finishedOn === null;
  }

  private jobKey(key: string, commandId: string): string {
    return `${this.options.prefix}:${this.queueFor(key).name}:${jobIdOf(commandId)}`;
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
    // Effects under way finish and hand their results back, so that another process settles them now.
    while (this.effectsRunning.size > 0) await Promise.allSettled([...this.effectsRunning]);
    this.workersHaveStopped = true;
    for (const listener of this.stopListeners) listener();
    this.stopListeners.clear();
    await Promise.all(this.queues.map((queue) => queue.close()));
    await this.replies.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  partitionOf(key: string): number {
    return partitionOf(key, this.queues.length);
  }

  private toCommand(key: string, input: CommandInput, deadlineMs: number): Reply<Command> {
    if (this.closing) return failure('closed', 'runtime is shutting down');
    const parsed = commandSchema.safeParse({ ...input, payload: input.payload ?? null, key, deadline: this.now() + deadlineMs });
    if (!parsed.success) {
      return failure('invalid_command', describeIssues(parsed.error));
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
    const [returnvalue, failedReason] = await this.connection.hmget(`${this.options.prefix}:${queue.name}:${jobId}`, 'returnvalue', 'failedReason');
    if (returnvalue) return JSON.parse(returnvalue) as Reply;
    if (failedReason) return failure('handler_error', failedReason);
    return undefined;
  }

  /**
   * One step of a command in its mailbox. A step that defers leaves the mailbox — its job waits
   * as delayed while the effect runs in this process — and the effect's result, written into the
   * job, brings the command back into the same mailbox for its `settle` step. The command's
   * reply — what the asker waits for — is only the last step's.
   */
  private async process(job: Job<CommandJob, Reply>, token: string): Promise<Reply> {
    const command = job.data;
    const log = this.options.logger.child({ commandId: command.id, key: command.key, type: command.type, callId: command.callId });
    const result = command.result;
    // Delivered again before its effect finished (its process died, or stopped renewing the lease): the effect runs again.
    if (command.step !== undefined && !result) return this.deferEffect(job, token, command, true);
    const arrived = result?.finishedAt ?? job.timestamp;
    const waitSeconds = Math.max(0, this.now() - arrived) / 1000;
    const waitedBehindMs = Math.max(0, (this.lastFinished.get(job.queueName) ?? 0) - arrived);
    const effectMs = (command.effectMs ?? 0) + (result?.ms ?? 0);
    const effectWaitMs = (command.effectWaitMs ?? 0) + (result?.waitMs ?? 0);
    const outcome = await this.dispatch(command, { waitedBehindMs, effectMs, effectWaitMs, log, releaseId: () => this.released.add(job.id!) }, result);
    this.lastFinished.set(job.queueName, this.now());

    if (isDeferred(outcome)) {
      this.options.observer?.jobFinished?.('completed', waitSeconds);
      return this.deferEffect(job, token, { ...command, step: (command.step ?? -1) + 1, effect: outcome.effect, effectMs, effectWaitMs, result: undefined }, false);
    }
    const reply = outcome as Reply;
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

  /**
   * Leaves the mailbox while a step's effect runs here: the step is written into the job, which
   * waits as delayed for one lease (renewed while the effect runs). Should this process die, the
   * lease lapses and the command is delivered again, its effect run anew as a redelivery.
   */
  private async deferEffect(job: Job<CommandJob, Reply>, token: string, data: CommandJob, redelivered: boolean): Promise<Reply> {
    // Both go out on the one shared connection now, in this order, ahead of anything the effect sends.
    const left = Promise.all([job.updateData(data), job.moveToDelayed(this.now() + this.lockDuration, token)]);
    this.track(this.runLocalEffect(job, data, redelivered, left));
    await left;
    throw new DelayedError();
  }

  /** Runs the effect and hands its result to the command's job, which goes back to its mailbox. */
  private async runLocalEffect(job: Job<CommandJob, Reply>, data: CommandJob, redelivered: boolean, left: Promise<unknown>): Promise<void> {
    const lease = this.lockDuration;
    const renew = setInterval(() => void job.changeDelay(lease).catch(() => {}), lease / 2);
    try {
      const result = await this.withEffectPlace(() => this.runEffect(data, redelivered));
      // Written only once the job has left the mailbox; if it could not, another delivery owns it now.
      if (!(await left.then(() => true, () => false))) return;
      // In this order on the one connection: whoever picks the job up finds the result in it.
      await Promise.all([job.updateData({ ...data, result }), job.promote()]);
    } catch (error) {
      // The job is no longer ours (delivered again after a lapsed lease) or Redis is away: the lease brings it back.
      this.options.logger.warn({ err: error, commandId: data.id, key: data.key }, 'effect result not handed back; the command is delivered again');
    } finally {
      clearInterval(renew);
    }
  }

  private track(running: Promise<void>): void {
    this.effectsRunning.add(running);
    void running.finally(() => this.effectsRunning.delete(running));
  }

  /** At most `effectConcurrency` effects at once in this process; the rest wait their turn. */
  private async withEffectPlace<T>(work: () => Promise<T>): Promise<T> {
    if (this.effectsActive >= (this.options.effectConcurrency ?? 64)) await new Promise<void>((resolve) => this.effectQueue.push(resolve));
    this.effectsActive++;
    try {
      return await work();
    } finally {
      this.effectsActive--;
      this.effectQueue.shift()?.();
    }
  }

  private async runEffect(command: CommandJob, redelivered: boolean): Promise<EffectResult> {
    const { key, type, id: commandId, callId, effect } = command;
    const definition = this.handlerOf(key, type)?.definition;
    const log = this.options.logger.child({ commandId, key, type, callId, effect: true });
    const started = performance.now();
    const waits = await measureWaits(async (): Promise<Settled<unknown>> => {
      try {
        if (!definition?.effect) throw new Error(`no effect for "${type}" of ${key}`);
        return { ok: true, value: (await definition.effect({ key, commandId, callId, log, redelivered }, effect)) ?? null };
      } catch (error) {
        log.error({ err: error }, 'effect failed');
        return { ok: false, error: (error as Error)?.message ?? String(error) };
      }
    });
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return { ...waits.result, ms: round(performance.now() - started), waitMs: round(waits.calcomMs), finishedAt: this.now() };
  }

  private get lockDuration(): number {
    return this.options.lockDurationMs ?? 30_000;
  }

  private handlerOf(key: string, type: string) {
    return this.handlers.get(`${actorNameOf(key)}.${type}`);
  }

  private async dispatch(
    command: CommandJob,
    extra: Pick<ActorContext, 'waitedBehindMs' | 'effectMs' | 'effectWaitMs' | 'log' | 'releaseId'>,
    result: Settled<unknown> | undefined,
  ): Promise<Reply | Deferred<unknown>> {
    const handler = this.handlerOf(command.key, command.type);
    if (!handler) {
      extra.log.warn('no handler for command');
      return failure('unknown_command', `no handler "${command.type}" for key ${command.key}`);
    }
    const parsed = handler.definition.input.safeParse(command.payload);
    if (!parsed.success) return failure('invalid_command', describeIssues(parsed.error));
    const ctx: ActorContext = {
      key: command.key,
      commandId: command.id,
      callId: command.callId,
      deadline: command.deadline,
      type: command.type,
      phase: result ? 'settle' : 'run',
      defer: deferred,
      ...extra,
    };
    try {
      const value = await handler.step({ ctx, input: parsed.data, options: handler.definition.options ?? {}, ...(result && { settling: { effect: command.effect, result } }) });
      return isDeferred(value) ? value : { ok: true, value: value ?? null };
    } catch (error) {
      extra.log.error({ err: error }, 'handler failed');
      return failure('handler_error', (error as Error)?.message ?? String(error));
    }
  }
}

/** A schema's refusal as one line: `path: message; …`. */
const describeIssues = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/** The handler's own step: `run` for a new command, `settle` with an effect's result. */
function runStep(definition: HandlerDefinition<any, any, any, any>, call: HandlerCall): Promise<unknown> {
  const { ctx, input, settling } = call;
  if (!settling) return Promise.resolve(definition.run(ctx, input));
  if (!definition.settle) throw new Error(`handler "${ctx.type}" deferred but has no settle step`);
  return Promise.resolve(definition.settle(ctx, input, settling.effect, settling.result));
}
