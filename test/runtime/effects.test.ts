import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { FlowProducer } from 'bullmq';
import { z } from 'zod';
import { ActorRuntime } from '../../src/runtime/actor-runtime.ts';
import { defineActor, handler } from '../../src/runtime/actor.ts';
import { jobIdOf } from '../../src/runtime/command.ts';
import { mailboxName, partitionOf } from '../../src/runtime/partition.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix, useTestRedis } from '../helpers/redis.ts';
import { exited, spawnConsumer } from './fixtures/spawn.ts';
import { createProbeActor } from './fixtures/probe-actor.ts';

const t = useTestRedis();

async function waitFor<T>(read: () => Promise<T | null | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('effects: a slow step runs outside the mailbox and settles back in it', () => {
  let runtime: ActorRuntime;
  let prefix: string;
  let probe: ReturnType<typeof createProbeActor>;

  beforeEach(async () => {
    prefix = uniquePrefix('fx');
    // One mailbox: every key shares it, so any wait behind the slow effect would show.
    runtime = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 1, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
    probe = createProbeActor(t.state, prefix);
    runtime.register(probe);
    await runtime.startConsuming();
  });
  afterEach(() => runtime.close());

  test('other keys of the same mailbox answer while one key waits on its effect', async () => {
    const client = runtime.client(probe);
    const slow = client.reserve('probe:slow', { effectMs: 800 }, { id: 'r-1', deadlineMs: 5000 });
    await waitFor(() => t.state.get(`${prefix}:effect-started:r-1:1`), 'the effect start');
    const started = Date.now();
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => client.count(`probe:other-${i}`, {}, { id: `n-${i}` })));
    const took = Date.now() - started;
    assert.ok(others.every((reply) => reply.ok));
    assert.ok(took < 400, `10 no-ops on the slow key's mailbox took ${took} ms while its 800 ms effect ran`);
    const reply = await slow;
    assert.ok(reply.ok);
    assert.equal(reply.value.settled, true);
    assert.equal(reply.value.effectRuns, 1);
    assert.equal(reply.value.redelivered, false);
    assert.ok(reply.value.effectMs >= 790, `the settle step knows its effect took ${reply.value.effectMs} ms`);
  });

  test("the key's own later commands run meanwhile, in order, and see the hold until it settles", async () => {
    const client = runtime.client(probe);
    const slow = client.reserve('probe:k', { effectMs: 400 }, { id: 'r-2' });
    await waitFor(() => t.state.get(`${prefix}:effect-started:r-2:1`), 'the effect start');
    const during = await client.peek('probe:k', {}, { id: 'p-1' });
    assert.deepEqual(during, { ok: true, value: { held: 'r-2' } }, 'a later command of the key sees the hold');
    await slow;
    const after = await client.peek('probe:k', {}, { id: 'p-2' });
    assert.deepEqual(after, { ok: true, value: { held: null } }, 'the settle released it');
    assert.deepEqual(await t.state.lrange(`${prefix}:log:probe:k`, 0, -1), ['run:r-2', 'peek:p-1', 'settle:r-2', 'peek:p-2']);
  });

  test('a repeated id joins the deferred command and gets its one reply; the effect runs once', async () => {
    const client = runtime.client(probe);
    const replies = await Promise.all(Array.from({ length: 5 }, () => client.reserve('probe:r', { effectMs: 200 }, { id: 'r-3' })));
    for (const reply of replies) assert.deepEqual(reply, replies[0]);
    assert.equal(await t.state.get(`${prefix}:effects:r-3`), '1');
    const late = await client.reserve('probe:r', { effectMs: 200 }, { id: 'r-3' });
    assert.deepEqual(late, replies[0], 'a late repeat gets the stored reply');
  });

  test('an asker past its deadline hears a timeout; the command still settles and asking again returns it', async () => {
    const client = runtime.client(probe);
    const hasty = await client.reserve('probe:d', { effectMs: 500 }, { id: 'r-4', deadlineMs: 100 });
    assert.equal(!hasty.ok && hasty.error.code, 'timeout');
    const patient = await client.reserve('probe:d', { effectMs: 500 }, { id: 'r-4', deadlineMs: 3000 });
    assert.ok(patient.ok && patient.value.settled);
  });

  test('a bad input is refused by the handler schema before any step runs', async () => {
    const reply = await runtime.client(probe).reserve('probe:bad', { effectMs: -1 }, { id: 'r-5' });
    assert.equal(!reply.ok && reply.error.code, 'invalid_command');
    assert.deepEqual(await t.state.lrange(`${prefix}:log:probe:bad`, 0, -1), []);
  });
});

test("an effect's result reaches its settle as Redis stores it (JSON, written into the command's job); a released id's rerun sees its own", async () => {
  const prefix = uniquePrefix('fxjson');
  const runtime = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 1, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
  let runs = 0;
  const actor = defineActor('json', {
    go: handler({
      input: z.object({}),
      run: (ctx) => ctx.defer({}),
      effect: async () => ({ at: new Date(0), gone: undefined, run: ++runs }),
      settle: (ctx, _input, _effect, result) => {
        ctx.releaseId(); // the same id runs again: its settle must see the new effect's result
        return result.ok ? result.value : result.error;
      },
    }),
  });
  runtime.register(actor);
  await runtime.startConsuming();
  try {
    const client = runtime.client(actor);
    const first = await client.go('json:a', {}, { id: 'j-1' });
    assert.deepEqual(first, { ok: true, value: { at: '1970-01-01T00:00:00.000Z', run: 1 } });
    await waitFor(async () => ((await runtime.client(actor).knows('json:a', 'j-1')) ? null : true), 'the release');
    const second = await client.go('json:a', {}, { id: 'j-1' });
    assert.deepEqual(second, { ok: true, value: { at: '1970-01-01T00:00:00.000Z', run: 2 } });
  } finally {
    await runtime.close();
  }
});

test('a process killed during an effect: the effect runs again elsewhere and the command settles once', async () => {
  const prefix = uniquePrefix('fxcrash');
  const env = { REDIS_URL: t.redis.url, QUEUE_PREFIX: prefix, PARTITIONS: '2', JOB_LOCK_MS: '1000' };
  const first = await spawnConsumer(env);
  const asker = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 2, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
  const probe = createProbeActor(t.state, prefix);
  let second: Awaited<ReturnType<typeof spawnConsumer>> | undefined;
  try {
    const patient = asker.client(probe).reserve('probe:crash', { effectMs: 1500 }, { id: 'r-9', deadlineMs: 30_000 });
    assert.equal(await waitFor(() => t.state.get(`${prefix}:effect-started:r-9:1`), 'the first effect'), String(first.pid));
    first.kill('SIGKILL');
    await exited(first);
    second = await spawnConsumer(env);
    const reply = await patient;
    assert.ok(reply.ok && reply.value.settled);
    assert.equal(reply.value.effectRuns, 2, 'the effect ran again after the crash');
    assert.equal(reply.value.redelivered, true, 'and knew it ran before (so it looks for what it did)');
    assert.equal(reply.value.pid, second.pid);
    const log = await t.state.lrange(`${prefix}:log:probe:crash`, 0, -1);
    assert.deepEqual(log, ['run:r-9', 'settle:r-9'], 'the command decided once and settled once');
  } finally {
    await asker.close();
    first.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await exited(second);
  }
});

test('a command an earlier version parked on its effects queue comes back to its mailbox and settles once', async () => {
  const prefix = uniquePrefix('fxlegacy');
  const key = 'probe:legacy';
  const id = 'r-legacy';
  const connection = connectRedis(t.redis.endpoint);
  const flows = new FlowProducer({ connection, prefix });
  // What versions with an effects queue left behind: the command waiting for its effect, a child job.
  const command = { id, type: 'reserve', key, payload: { effectMs: 10 }, deadline: Date.now() + 60_000, step: 0, effect: { effectMs: 10 } };
  await flows.add({
    name: 'reserve', queueName: mailboxName(partitionOf(key, 1)), data: command, opts: { jobId: jobIdOf(id) },
    children: [{ name: 'reserve', queueName: 'effects', data: { key, type: 'reserve', commandId: id, effect: command.effect }, opts: { jobId: `${jobIdOf(id)}-e0` } }],
  });
  const runtime = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 1, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
  const probe = createProbeActor(t.state, prefix);
  runtime.register(probe);
  try {
    await runtime.startConsuming();
    const reply = await runtime.client(probe).reserve(key, { effectMs: 10 }, { id, deadlineMs: 10_000 });
    assert.ok(reply.ok && reply.value.settled, JSON.stringify(reply));
    assert.equal(reply.value.redelivered, true, 'the effect ran again knowing it may have run before');
    assert.equal(reply.value.effectRuns, 1);
    assert.deepEqual(await t.state.lrange(`${prefix}:log:${key}`, 0, -1), ['settle:r-legacy'], 'decided once (by the earlier version), settled once');
    assert.equal(await connection.exists(`${prefix}:effects:${jobIdOf(id)}-e0`), 0, 'the old effect job is gone');
  } finally {
    await runtime.close();
    await flows.close();
    connection.disconnect();
  }
});
