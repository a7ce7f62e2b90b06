import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorRuntime } from '../../src/runtime/actor-runtime.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix, useTestRedis } from '../helpers/redis.ts';
import { exited, spawnConsumer } from './fixtures/spawn.ts';

const t = useTestRedis();

async function waitForKey(key: string, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await t.state.get(key);
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`${key} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a consumer killed with SIGKILL mid-handler: the command is delivered again after restart and completes', async () => {
  const prefix = uniquePrefix('crash');
  const env = { REDIS_URL: t.redis.url, QUEUE_PREFIX: prefix, PARTITIONS: '2', JOB_LOCK_MS: '1000' };
  const first = await spawnConsumer(env);
  const asker = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 2, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
  let second: Awaited<ReturnType<typeof spawnConsumer>> | undefined;
  try {
    const command = { id: 'call-9:book', type: 'count', payload: { marker: 'm', workMs: 60_000, slowFirstRunOnly: true } };
    const patient = asker.ask<{ runs: number; pid: number }>('probe:crash', command, { deadlineMs: 30_000 });
    const hasty = asker.ask('probe:crash', command, { deadlineMs: 300 });

    assert.equal(await waitForKey(`${prefix}:marker:m:1`, 10_000), String(first.pid), 'first delivery ran in the first consumer');
    first.kill('SIGKILL');
    await exited(first);

    const hastyReply = await hasty;
    assert.equal(!hastyReply.ok && hastyReply.error.code, 'timeout', 'an asker past its deadline hears a timeout, not silence');

    second = await spawnConsumer(env);
    const reply = await patient;
    assert.deepEqual(reply, { ok: true, value: { runs: 2, pid: second.pid } });

    const repeat = await asker.ask('probe:crash', command, { deadlineMs: 2000 });
    assert.deepEqual(repeat, reply, 'asking again returns the finished result without a third run');
    assert.equal(await t.state.get(`${prefix}:runs:call-9:book`), '2');
  } finally {
    await asker.close();
    first.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await exited(second);
  }
});
