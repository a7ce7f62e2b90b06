import { closeWorker } from '../runtime/close-worker.ts';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectRedis, type RedisEndpoint } from '../runtime/redis-connection.ts';

/**
 * Repeatable maintenance jobs on their own BullMQ queue: each runs every `everyMs`
 * on exactly one process at a time, whichever process is free.
 */
export class MaintenanceScheduler {
  private constructor(
    private readonly queue: Queue,
    private readonly worker: Worker,
    private readonly connections: Redis[],
  ) {}

  static async start(options: {
    redis: RedisEndpoint;
    prefix: string;
    logger: Logger;
    jobs: Record<string, { everyMs: number; run: () => Promise<unknown> }>;
  }): Promise<MaintenanceScheduler> {
    const connection = connectRedis(options.redis);
    const workerConnection = connectRedis(options.redis);
    const queue = new Queue('maintenance', { connection, prefix: options.prefix });
    const worker = new Worker(
      'maintenance',
      async (job) => {
        const task = options.jobs[job.name];
        if (!task) return null;
        return task.run();
      },
      { connection: workerConnection, prefix: options.prefix, concurrency: 1 },
    );
    // While Redis is away (restarting) these report errors; logged, not printed to stderr by default.
    const logError = (error: Error) => options.logger.warn({ err: error }, 'maintenance redis error');
    for (const redis of [connection, workerConnection]) redis.on('error', logError);
    queue.on('error', logError);
    worker.on('error', logError);
    worker.on('failed', (job, error) => options.logger.warn({ err: error, job: job?.name }, 'maintenance job failed'));
    for (const [name, task] of Object.entries(options.jobs)) {
      await queue.upsertJobScheduler(name, { every: task.everyMs }, { name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    }
    return new MaintenanceScheduler(queue, worker, [connection, workerConnection]);
  }

  async close(): Promise<void> {
    await closeWorker(this.worker, 2000); // a sweep is idempotent and runs again on schedule
    await this.queue.close();
    for (const connection of this.connections) await connection.quit().catch(() => connection.disconnect());
  }
}
