import assert from 'node:assert/strict';
import { beforeEach, afterEach, describe, test } from 'node:test';
import { ActorRuntime } from '../../src/runtime/actor-runtime.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix, useTestRedis } from '../helpers/redis.ts';
import { createProbeActor } from './fixtures/probe-actor.ts';

describe('commands: idempotency, failures, deadlines, shutdown', () => {
  const t = useTestRedis();
  let runtime: ActorRuntime;
  let prefix: string;

  beforeEach(async () => {
    prefix = uniquePrefix('cmd');
    runtime = await ActorRuntime.create({ redis: t.redis.endpoint, prefix, partitions: 4, retentionSeconds: 600, logger: testLogger, pollIntervalMs: 200 });
    runtime.register(createProbeActor(t.state, prefix));
    await runtime.startConsuming();
  });
  afterEach(() => runtime.close());

  test('a repeated command id runs once and returns the first result', async () => {
    const first = await runtime.ask('probe:a', { id: 'call-1:book:10:30', type: 'count', payload: {} });
    const again = await runtime.ask('probe:a', { id: 'call-1:book:10:30', type: 'count', payload: { workMs: 5 } });
    assert.deepEqual(again, first);
    assert.ok(first.ok);
    assert.equal(await t.state.get(`${prefix}:runs:call-1:book:10:30`), '1');
  });

  test('concurrent repeats of one id run once; all askers get the same reply', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => runtime.ask('probe:b', { id: '12345', type: 'count', payload: { workMs: 30 } })),
    );
    for (const reply of replies) assert.deepEqual(reply, replies[0]);
    assert.deepEqual(replies[0], { ok: true, value: { runs: 1, pid: process.pid } });
    assert.equal(await t.state.get(`${prefix}:runs:12345`), '1');
  });

  test('a released command id runs again when asked again right after its answer', async () => {
    const ask = () => runtime.ask('probe:t', { id: 'call-5:book:retry', type: 'transient' });
    assert.deepEqual(await ask(), { ok: true, value: { runs: 1 } });
    assert.deepEqual(await ask(), { ok: true, value: { runs: 2 } });
    assert.deepEqual(await ask(), { ok: true, value: { runs: 3 } });
    assert.deepEqual(await ask(), { ok: true, value: { runs: 3 } }, 'a final answer is kept');
  });

  test('a command knows how long it waited behind earlier ones of its mailbox, and not more', async () => {
    const first = runtime.ask('probe:w', { id: 'w-1', type: 'wait', payload: { workMs: 300 } });
    await new Promise((r) => setTimeout(r, 50));
    const asked = Date.now();
    const second = await runtime.ask('probe:w', { id: 'w-2', type: 'wait', payload: { workMs: 0 } });
    const answeredAfter = Date.now() - asked;
    assert.ok((await first).ok && second.ok);
    const behind = (second.value as { waitedBehindMs: number }).waitedBehindMs;
    assert.ok(behind >= 150, `w-2 waited ${behind} ms behind w-1, which had ~250 ms left`);
    assert.ok(behind <= answeredAfter, `the wait (${behind} ms) is part of the ${answeredAfter} ms w-2 took`);
    await new Promise((r) => setTimeout(r, 20));
    const idle = await runtime.ask('probe:w', { id: 'w-3', type: 'wait', payload: { workMs: 0 } });
    assert.deepEqual(idle, { ok: true, value: { waitedBehindMs: 0 } }, 'an idle mailbox: no wait behind others');
  });

  test('a handler that throws yields a structured failure, and the key keeps working', async () => {
    const reply = await runtime.ask('probe:c', { id: 'f1', type: 'fail' });
    assert.deepEqual(reply, { ok: false, error: { code: 'handler_error', message: 'Kalender nicht erreichbar' } });
    const next = await runtime.ask('probe:c', { id: 'f2', type: 'count', payload: {} });
    assert.equal(next.ok, true);
  });

  test('unknown command types and malformed commands are refused clearly', async () => {
    const unknown = await runtime.ask('probe:c', { id: 'u1', type: 'teleport' });
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.error.code, 'unknown_command');
    const badKey = await runtime.ask('no key here', { id: 'u2', type: 'count' });
    assert.equal(!badKey.ok && badKey.error.code, 'invalid_command');
    const noId = await runtime.ask('probe:c', { id: '', type: 'count' });
    assert.equal(!noId.ok && noId.error.code, 'invalid_command');
  });

  test('a passed deadline gives a timeout reply; the command completes and asking again returns its result', async () => {
    const started = Date.now();
    const reply = await runtime.ask('probe:d', { id: 'slow-1', type: 'count', payload: { workMs: 600 } }, { deadlineMs: 100 });
    assert.ok(Date.now() - started < 500, 'the asker was not kept waiting past its deadline');
    assert.equal(!reply.ok && reply.error.code, 'timeout');
    const later = await runtime.ask('probe:d', { id: 'slow-1', type: 'count', payload: {} }, { deadlineMs: 5000 });
    assert.deepEqual(later, { ok: true, value: { runs: 1, pid: process.pid } });
  });

  test('tell queues without waiting; the command still runs in order', async () => {
    await runtime.tell('probe:e', { id: 'e1', type: 'step', payload: { seq: 1, workMs: 50 } });
    const reply = await runtime.ask<{ previous: number }>('probe:e', { id: 'e2', type: 'step', payload: { seq: 2 } });
    assert.ok(reply.ok);
    assert.equal(reply.value.previous, 1, 'the told command ran first');
  });

  test('close lets the in-flight command finish and refuses new work', async () => {
    const inFlight = runtime.ask('probe:f', { id: 'g1', type: 'count', payload: { workMs: 300 } });
    await new Promise((r) => setTimeout(r, 100));
    await runtime.close();
    assert.deepEqual(await inFlight, { ok: true, value: { runs: 1, pid: process.pid } });
    const refused = await runtime.ask('probe:f', { id: 'g2', type: 'count' });
    assert.equal(!refused.ok && refused.error.code, 'closed');
  });

  test('an answered ask leaves nothing behind that lives until shutdown', async () => {
    const internals = runtime as unknown as { stopListeners: Set<unknown>; replies: { waiters: Map<string, unknown> } };
    const pending = Array.from({ length: 50 }, (_, i) => runtime.ask(`probe:m${i % 5}`, { id: `m-${i}`, type: 'count', payload: {} }));
    assert.equal(internals.stopListeners.size, 50, 'each waiting ask is told of a shutdown');
    for (const reply of await Promise.all(pending)) assert.ok(reply.ok);
    assert.equal(internals.stopListeners.size, 0);
    assert.equal(internals.replies.waiters.size, 0);
  });
});
