import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import type { Redis } from 'ioredis';
import { after, before } from 'node:test';
import { connectRedis, type RedisEndpoint } from '../../src/runtime/redis-connection.ts';

/** A real, private redis-server for one test file, in its own temp directory. */
export interface TestRedis {
  endpoint: RedisEndpoint;
  url: string;
  redis: EmbeddedRedis;
  stop: () => Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-test-redis-'));
  const redis = await EmbeddedRedis.start({ dir });
  return {
    redis,
    endpoint: { path: redis.socketPath },
    url: `unix://${redis.socketPath}`,
    stop: async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let prefixCounter = 0;
/** A key prefix no other test in the run uses, so tests sharing a server never see each other's queues. */
export function uniquePrefix(name: string): string {
  return `t${process.pid}-${++prefixCounter}-${name}`;
}

/**
 * For a test file or suite: a private redis-server started before its tests and stopped after,
 * with a plain client (`state`) for what the tests themselves keep in Redis.
 */
export function useTestRedis(): { readonly redis: TestRedis; readonly state: Redis } {
  let redis: TestRedis | undefined;
  let state: Redis | undefined;
  before(async () => {
    redis = await startTestRedis();
    state = connectRedis(redis.endpoint);
  });
  after(async () => {
    state?.disconnect();
    await redis?.stop();
  });
  return {
    get redis() {
      return redis!;
    },
    get state() {
      return state!;
    },
  };
}
