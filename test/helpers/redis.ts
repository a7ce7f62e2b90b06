import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import type { RedisEndpoint } from '../../src/runtime/redis-connection.ts';

/** A real, private redis-server for one test file, in its own temp directory. */
export async function startTestRedis(): Promise<{ endpoint: RedisEndpoint; url: string; redis: EmbeddedRedis; stop: () => Promise<void> }> {
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
