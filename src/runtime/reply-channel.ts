import type { Redis } from 'ioredis';
import type { Reply } from './command.ts';

type Resolve = (reply: Reply) => void;

/**
 * Replies travel over one Redis pub/sub channel shared by all processes: a worker
 * publishes `{jobId}\n{reply JSON}` as soon as the handler returns, and whichever
 * process has an asker waiting for that job resolves it. Processes without a waiter
 * skip the message without parsing it. An asker in the worker's own process can be
 * answered directly (`answerHere`), two Redis round trips sooner.
 */
export class ReplyChannel {
  private readonly waiters = new Map<string, Set<Resolve>>();

  private constructor(
    private readonly subscriber: Redis,
    private readonly publisher: Redis,
    private readonly channel: string,
  ) {}

  static async open(subscriber: Redis, publisher: Redis, channel: string): Promise<ReplyChannel> {
    const replies = new ReplyChannel(subscriber, publisher, channel);
    subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) replies.deliver(message);
    });
    await subscriber.subscribe(channel);
    return replies;
  }

  publish(jobId: string, reply: Reply): Promise<number> {
    return this.publisher.publish(this.channel, `${jobId}\n${JSON.stringify(reply)}`);
  }

  /** Registers interest in a job's reply; call `cancel` when no longer waiting. */
  wait(jobId: string): { reply: Promise<Reply>; cancel: () => void } {
    let resolve!: Resolve;
    const reply = new Promise<Reply>((r) => (resolve = r));
    let set = this.waiters.get(jobId);
    if (!set) this.waiters.set(jobId, (set = new Set()));
    set.add(resolve);
    const cancel = () => {
      set.delete(resolve);
      if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
    };
    return { reply, cancel };
  }

  private deliver(message: string): void {
    const newline = message.indexOf('\n');
    const jobId = message.slice(0, newline);
    if (this.waiters.has(jobId)) this.answerHere(jobId, JSON.parse(message.slice(newline + 1)) as Reply);
  }

  /**
   * Resolves this process's askers of a job. Only for a job's final reply: its echo from Redis
   * may reach a later asker of the same id, which must then get the same answer.
   */
  answerHere(jobId: string, reply: Reply): void {
    for (const resolve of this.waiters.get(jobId) ?? []) resolve(reply);
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
