// Head-of-line blocking: one key's slow command vs. no-ops of other keys in the same mailbox.
//
// 16 mailboxes. Once a second the "slow key" receives a command whose work takes 1,000 ms; meanwhile
// no-ops arrive open-loop at 100/s on other keys, every other one on a key hashed onto the slow
// key's mailbox, the rest onto the other 15. Two modes, one after the other in the same run:
//   deferred — the 1,000 ms is an effect (`ctx.defer`), run outside the mailbox while the command waits;
//   blocking — the 1,000 ms is slept inside `run` (the old way), holding the mailbox.
// Latency is measured from each command's scheduled send time (open loop: a late send counts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ActorRuntime } from '../src/runtime/actor-runtime.ts';
import { defineActor, handler } from '../src/runtime/actor.ts';
import type { RedisEndpoint } from '../src/runtime/redis-connection.ts';
import { progress, summarize, type LatencySummary } from './lib.ts';

const PARTITIONS = 16;
const SLOW_KEY = 'hol:slow';
const SLOW_MS = 1000;
const KEYS_PER_SIDE = 100;

export interface HeadOfLineOptions {
  /** Measured seconds per mode (after warmup). */
  seconds: number;
  warmupSeconds: number;
  /** No-ops per second, all keys together (half on the slow key's mailbox). */
  noopRate: number;
  /** Slow commands per second on the slow key. */
  slowRate: number;
}

export function headOfLineOptionsFromEnv(env = process.env): HeadOfLineOptions {
  const number = (name: string, fallback: number) => {
    const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${env[name]}"`);
    return value;
  };
  return {
    seconds: number('BENCH_HOL_SECONDS', 20),
    warmupSeconds: number('BENCH_HOL_WARMUP_SECONDS', 3),
    noopRate: number('BENCH_HOL_NOOP_RATE', 100),
    slowRate: number('BENCH_HOL_SLOW_RATE', 1),
  };
}

export interface HeadOfLineMode {
  /** No-ops on keys of the slow key's mailbox. */
  sameMailbox: LatencySummary;
  /** No-ops on keys of the other mailboxes. */
  otherMailbox: LatencySummary;
  slow: LatencySummary;
  /** same-mailbox p99 / other-mailbox p99. */
  p99Ratio: number;
  /** Replies that were not ok (timeouts, errors): should be 0. */
  failures: number;
}

export interface HeadOfLineResult {
  options: HeadOfLineOptions;
  slowPartition: number;
  deferred: HeadOfLineMode;
  blocking: HeadOfLineMode;
}

const actor = defineActor('hol', {
  noop: () => null,
  /** The new way: decide, defer the slow work outside the mailbox, settle. */
  slow: handler({
    input: z.object({ n: z.number() }),
    run: (ctx, input) => ctx.defer({ n: input.n }),
    effect: async (_ctx, effect: { n: number }) => {
      await sleep(SLOW_MS);
      return effect.n;
    },
    settle: (_ctx, _input, _effect, result) => (result.ok ? { n: result.value } : { error: result.error }),
  }),
  /** The old way: the slow work inside the handler, holding its mailbox. */
  blocking: handler({
    input: z.object({ n: z.number() }),
    run: async (_ctx, input) => {
      await sleep(SLOW_MS);
      return { n: input.n };
    },
  }),
});

/** Calls `fire(i, scheduledAt)` `ratePerSecond` times a second for `durationMs`, catching up when late. */
async function openLoop(ratePerSecond: number, durationMs: number, startAt: number, fire: (i: number, scheduledAt: number) => void): Promise<void> {
  const interval = 1000 / ratePerSecond;
  const total = Math.floor(durationMs / interval);
  for (let i = 0; i < total; i++) {
    const due = startAt + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    // A late send counts from when it was due; an early one (timers round to whole ms) from when it left.
    fire(i, Math.max(due, performance.now()));
  }
}

async function measureMode(
  mode: 'deferred' | 'blocking',
  endpoint: RedisEndpoint,
  logger: Logger,
  prefix: string,
  options: HeadOfLineOptions,
): Promise<HeadOfLineMode & { slowPartition: number }> {
  const runtime = await ActorRuntime.create({ redis: endpoint, prefix, partitions: PARTITIONS, retentionSeconds: 600, logger });
  runtime.register(actor);
  await runtime.startConsuming();
  const client = runtime.client(actor);

  const slowPartition = runtime.partitionOf(SLOW_KEY);
  const same: string[] = [];
  const other: string[] = [];
  for (let i = 0; same.length < KEYS_PER_SIDE || other.length < KEYS_PER_SIDE; i++) {
    const key = `hol:k${i}`;
    const side = runtime.partitionOf(key) === slowPartition ? same : other;
    if (side.length < KEYS_PER_SIDE) side.push(key);
  }

  const latencies = { same: [] as number[], other: [] as number[], slow: [] as number[] };
  let failures = 0;
  const pending: Promise<void>[] = [];
  const startAt = performance.now() + 50;
  const measureFrom = startAt + options.warmupSeconds * 1000;
  const durationMs = (options.warmupSeconds + options.seconds) * 1000;
  const track = (sample: number[], scheduledAt: number, reply: Promise<{ ok: boolean }>) =>
    pending.push(
      reply.then((r) => {
        if (scheduledAt < measureFrom) return;
        if (!r.ok) failures++;
        sample.push(performance.now() - scheduledAt);
      }),
    );

  const deadlineMs = 60_000;
  const noops = openLoop(options.noopRate, durationMs, startAt, (i, scheduledAt) => {
    const onSlowMailbox = i % 2 === 0;
    const keys = onSlowMailbox ? same : other;
    const key = keys[(i >> 1) % keys.length]!;
    track(onSlowMailbox ? latencies.same : latencies.other, scheduledAt, client.noop(key, null, { id: `${prefix}-n${i}`, deadlineMs }));
  });
  const slows = openLoop(options.slowRate, durationMs, startAt, (i, scheduledAt) => {
    const send = mode === 'deferred' ? client.slow : client.blocking;
    track(latencies.slow, scheduledAt, send(SLOW_KEY, { n: i }, { id: `${prefix}-s${i}`, deadlineMs }));
  });
  await Promise.all([noops, slows]);
  const sentFor = performance.now() - measureFrom;
  await Promise.all(pending);
  await runtime.close();

  const sameMailbox = summarize(latencies.same, sentFor);
  const otherMailbox = summarize(latencies.other, sentFor);
  return {
    slowPartition,
    sameMailbox,
    otherMailbox,
    slow: summarize(latencies.slow, sentFor),
    p99Ratio: Math.round((sameMailbox.p99 / otherMailbox.p99) * 100) / 100,
    failures,
  };
}

export async function measureHeadOfLine(endpoint: RedisEndpoint, logger: Logger, options: HeadOfLineOptions): Promise<HeadOfLineResult> {
  const stamp = Date.now().toString(36);
  progress(`head-of-line, deferred effect (${options.warmupSeconds} s warmup + ${options.seconds} s) …`);
  const { slowPartition, ...deferred } = await measureMode('deferred', endpoint, logger, `hol-d-${stamp}`, options);
  progress(`head-of-line, blocking run (${options.warmupSeconds} s warmup + ${options.seconds} s) …`);
  const { slowPartition: _, ...blocking } = await measureMode('blocking', endpoint, logger, `hol-b-${stamp}`, options);
  return { options, slowPartition, deferred, blocking };
}

/** Rows for the printed table. */
export function headOfLineRows(result: HeadOfLineResult): Array<Record<string, string | number>> {
  const row = (mode: string, traffic: string, s: LatencySummary, ratio: string) => ({
    mode,
    traffic,
    commands: s.count,
    'p50 ms': s.p50,
    'p95 ms': s.p95,
    'p99 ms': s.p99,
    'max ms': s.max,
    'p99 / other': ratio,
  });
  const { deferred, blocking } = result;
  const vsOther = (m: HeadOfLineMode, s: LatencySummary) => String(Math.round((s.p99 / m.otherMailbox.p99) * 100) / 100);
  return [
    row('deferred effect', 'no-op, same mailbox', deferred.sameMailbox, vsOther(deferred, deferred.sameMailbox)),
    row('deferred effect', 'no-op, other mailbox', deferred.otherMailbox, '1'),
    row('deferred effect', `slow key (${SLOW_MS} ms effect)`, deferred.slow, '-'),
    row('blocking run (baseline)', 'no-op, same mailbox', blocking.sameMailbox, vsOther(blocking, blocking.sameMailbox)),
    row('blocking run (baseline)', 'no-op, other mailbox', blocking.otherMailbox, '1'),
    row('blocking run (baseline)', `slow key (${SLOW_MS} ms in run)`, blocking.slow, '-'),
  ];
}
