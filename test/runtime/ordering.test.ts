import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActorRuntime } from '../../src/runtime/actor-runtime.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix, useTestRedis } from '../helpers/redis.ts';
import { createProbeActor } from './fixtures/probe-actor.ts';
import { exited, spawnConsumer } from './fixtures/spawn.ts';

type StepResult = { seq: number; previous: number; active: number; pid: number };

/**
 * `keys` × `perKey` commands from `askers` concurrent askers. Sequence numbers are taken
 * per key at the moment of sending, so arrival order equals sequence order; the actor
 * must then see each key's numbers strictly increasing and never two at once.
 */
async function driveProbe(runtime: ActorRuntime, keys: number, perKey: number, askers: number) {
  const nextSeq = new Array<number>(keys).fill(0);
  const results: Array<{ key: string; reply: Awaited<ReturnType<typeof runtime.ask<StepResult>>> }> = [];
  // The first key from `start` on that still has commands to send, or -1 when all are sent.
  const pick = (start: number) => {
    for (let i = 0; i < keys; i++) if (nextSeq[(start + i) % keys]! < perKey) return (start + i) % keys;
    return -1;
  };
  await Promise.all(
    Array.from({ length: askers }, async (_, asker) => {
      for (let round = 0; ; round++) {
        const k = pick((asker * 7 + round * 13) % keys);
        if (k < 0) return;
        const seq = nextSeq[k]!++;
        const key = `probe:k${k}`;
        const reply = await runtime.ask<StepResult>(key, { id: `${key}:${seq}`, type: 'step', payload: { seq, workMs: seq % 7 === 0 ? 1 : 0 } }, { deadlineMs: 60_000 });
        results.push({ key, reply });
      }
    }),
  );
  return results;
}

function assertOrderedAndExclusive(results: Awaited<ReturnType<typeof driveProbe>>, expected: number) {
  assert.equal(results.length, expected);
  for (const { key, reply } of results) {
    assert.ok(reply.ok, `command on ${key} failed: ${JSON.stringify(reply)}`);
    assert.equal(reply.value.active, 1, `two commands of ${key} ran at once`);
    assert.ok(reply.value.previous < reply.value.seq, `${key}: seq ${reply.value.seq} ran after ${reply.value.previous}`);
  }
  // Every key's sequence was seen exactly once each.
  const seen = new Map<string, Set<number>>();
  for (const { key, reply } of results) if (reply.ok) (seen.get(key) ?? seen.set(key, new Set()).get(key)!).add(reply.value.seq);
  for (const [key, seqs] of seen) assert.equal(seqs.size, expected / seen.size, `${key} lost commands`);
}

describe('per-key order and exclusivity', () => {
  const t = useTestRedis();

  test('50 keys × 200 commands from 64 concurrent askers, one process', async () => {
    const prefix = uniquePrefix('order');
    const runtime = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 16, retentionSeconds: 600, logger: testLogger });
    runtime.register(createProbeActor(t.state, prefix));
    await runtime.startConsuming();
    try {
      assertOrderedAndExclusive(await driveProbe(runtime, 50, 200, 64), 50 * 200);
    } finally {
      await runtime.close();
    }
  });

  test('the same holds with two consumer processes on the same mailboxes', async () => {
    const prefix = uniquePrefix('order2');
    const env = { REDIS_URL: t.redis.url, QUEUE_PREFIX: prefix, PARTITIONS: '8' };
    const consumers = await Promise.all([spawnConsumer(env), spawnConsumer(env)]);
    // Polling an hour apart: every reply must come over the pub/sub channel from the other processes.
    const asker = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 8, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 3_600_000 });
    try {
      const results = await driveProbe(asker, 20, 100, 64);
      assertOrderedAndExclusive(results, 20 * 100);
      const pids = new Set(results.map(({ reply }) => (reply.ok ? reply.value.pid : 0)));
      assert.deepEqual(pids, new Set(consumers.map((c) => c.pid)), 'both processes took work');
    } finally {
      await asker.close();
      for (const consumer of consumers) consumer.kill('SIGTERM');
      await Promise.all(consumers.map(exited));
    }
  });
});
