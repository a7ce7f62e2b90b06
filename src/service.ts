import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ActorRuntime } from './runtime/actor-runtime.ts';
import { EmbeddedRedis } from './runtime/embedded-redis.ts';
import { endpointFromUrl, type RedisEndpoint } from './runtime/redis-connection.ts';

export interface Service {
  runtime: ActorRuntime;
  redis: RedisEndpoint;
  stop(): Promise<void>;
}

/**
 * Builds the whole service from its configuration, in dependency order, and returns a
 * `stop` that tears it down in reverse. Nothing here runs as a side effect of an import.
 */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  const embedded = config.REDIS_URL
    ? undefined
    : await EmbeddedRedis.start({ dir: join(config.DATA_DIR, 'redis'), bin: config.REDIS_SERVER_BIN, logger });
  const redis = config.REDIS_URL ? endpointFromUrl(config.REDIS_URL) : { path: embedded!.socketPath };

  const runtime = await ActorRuntime.create({
    redis,
    prefix: config.QUEUE_PREFIX,
    partitions: config.PARTITIONS,
    retentionSeconds: config.COMMAND_RETENTION_SECONDS,
    lockDurationMs: config.JOB_LOCK_MS,
    defaultDeadlineMs: config.FUNCTION_DEADLINE_MS,
    logger,
  });
  await runtime.startConsuming();

  return {
    runtime,
    redis,
    async stop() {
      await runtime.close();
      await embedded?.stop();
    },
  };
}
