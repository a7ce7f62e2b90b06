// Actor runtime round trip vs. raw BullMQ (add + waitUntilFinished), measured in one run; then
// head-of-line blocking with a slow key (bench/head-of-line.ts) on the same embedded Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { pino } from 'pino';
import { ActorRuntime } from '../src/runtime/actor-runtime.ts';
import { defineActor } from '../src/runtime/actor.ts';
import { EmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { partitionOf } from '../src/runtime/partition.ts';
import { connectRedis } from '../src/runtime/redis-connection.ts';
import { headOfLineOptionsFromEnv, headOfLineRows, measureHeadOfLine } from './head-of-line.ts';
import { printTable, progress, runClosedLoop, verdict, type LatencySummary } from './lib.ts';

const CONCURRENCY = [1, 64, 256];
const TOTAL = (concurrency: number) => (concurrency === 1 ? 3000 : 20_000);
const WARMUP = 500;
const KEYS = 1000;

const dir = mkdtempSync(join(tmpdir(), 'vbr-bench-'));
const redis = await EmbeddedRedis.start({ dir });
const endpoint = { path: redis.socketPath };
const logger = pino({ level: 'warn' });
let round = 0;

const PARTITIONS = 16;
const keyOf = (k: number) => `slot:c:${k}`;
/** How many of the KEYS keys each mailbox owns: a hash spreads them unevenly (54 to 71 of 1000). */
const keysPerMailbox = Array.from({ length: PARTITIONS }, () => 0);
for (let k = 0; k < KEYS; k++) keysPerMailbox[partitionOf(keyOf(k), PARTITIONS)]!++;

/**
 * Diagnostic only (not a target): KEYS keys picked so that every mailbox owns the same number,
 * visited round-robin over the mailboxes. Closed-loop askers pile up in the mailboxes that own
 * the most keys; with the load even, what remains of the tail is the runtime's own.
 */
function evenKeys(): string[] {
  const perMailbox = Math.floor(KEYS / PARTITIONS);
  const owned: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let k = 0; owned.some((keys) => keys.length < perMailbox); k++) {
    const keys = owned[partitionOf(keyOf(k), PARTITIONS)]!;
    if (keys.length < perMailbox) keys.push(keyOf(k));
  }
  return Array.from({ length: perMailbox * PARTITIONS }, (_, i) => owned[i % PARTITIONS]![Math.floor(i / PARTITIONS)]!);
}

async function measureRuntime(concurrency: number, keys?: string[]): Promise<LatencySummary> {
  const runtime = await ActorRuntime.create({ redis: endpoint, prefix: `bench${++round}`, partitions: PARTITIONS, retentionSeconds: 600, logger });
  runtime.register(defineActor('slot', { noop: () => null }));
  await runtime.startConsuming();
  const keyAt = keys ? (i: number) => keys[((i % keys.length) + keys.length) % keys.length]! : (i: number) => keyOf(i % KEYS);
  const ask = (i: number) => runtime.ask(keyAt(i), { id: `r${round}-${i}`, type: 'noop' }, { deadlineMs: 30_000 });
  await runClosedLoop(WARMUP, concurrency, (i) => ask(-1 - i));
  const result = await runClosedLoop(TOTAL(concurrency), concurrency, ask);
  await runtime.close();
  return result;
}

async function measureRawBullmq(concurrency: number): Promise<LatencySummary> {
  const connection = connectRedis(endpoint);
  const prefix = `raw${++round}`;
  const queue = new Queue('raw', { connection, prefix });
  queue.setMaxListeners(0); // every waitUntilFinished listens for the queue closing
  const events = new QueueEvents('raw', { connection: { path: redis.socketPath }, prefix });
  const worker = new Worker('raw', async () => null, { connection, prefix, concurrency });
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
  const keep = { age: 600 };
  const call = async (i: number) => {
    const job = await queue.add('noop', { i }, { jobId: `j${i}`, removeOnComplete: keep });
    await job.waitUntilFinished(events, 30_000);
  };
  await runClosedLoop(WARMUP, concurrency, (i) => call(-1 - i));
  const result = await runClosedLoop(TOTAL(concurrency), concurrency, call);
  await worker.close();
  await events.close();
  await queue.close();
  connection.disconnect();
  return result;
}

const rows: Array<Record<string, string | number>> = [];
const figures: Record<string, unknown> = {};
for (const concurrency of CONCURRENCY) {
  progress(`raw BullMQ, ${concurrency} askers …`);
  const raw = await measureRawBullmq(concurrency);
  progress(`actor runtime, ${concurrency} askers …`);
  const actors = await measureRuntime(concurrency);
  for (const [name, s] of [['actor runtime (16 mailboxes)', actors], ['raw BullMQ (1 queue)', raw]] as const) {
    rows.push({ system: name, askers: concurrency, commands: s.count, 'p50 ms': s.p50, 'p95 ms': s.p95, 'p99 ms': s.p99, 'cmd/s': s.perSecond });
  }
  figures[`askers_${concurrency}`] = { runtime: actors, raw, throughputRatio: Math.round((actors.perSecond / raw.perSecond) * 100) / 100 };
}

progress('actor runtime, 256 askers, keys even over the mailboxes (diagnostic) …');
const even = await measureRuntime(256, evenKeys());
rows.push({ system: 'runtime, keys even (diagnostic)', askers: 256, commands: even.count, 'p50 ms': even.p50, 'p95 ms': even.p95, 'p99 ms': even.p99, 'cmd/s': even.perSecond });
figures.askers_256_evenKeys = even;
figures.keysPerMailbox = keysPerMailbox;

const headOfLine = await measureHeadOfLine(endpoint, logger, headOfLineOptionsFromEnv());

await redis.stop();
rmSync(dir, { recursive: true, force: true });

printTable(rows);
console.log('');
printTable(headOfLineRows(headOfLine));
console.log('');

const at1 = figures.askers_1 as { runtime: LatencySummary };
const at64 = figures.askers_64 as { runtime: LatencySummary; raw: LatencySummary; throughputRatio: number };
const at256 = figures.askers_256 as { runtime: LatencySummary };
const hol = headOfLine.deferred;
const holMet = hol.sameMailbox.p99 <= 2 * hol.otherMailbox.p99 && hol.sameMailbox.p99 <= 25;
const tailRatio = Math.round((at256.runtime.p95 / at256.runtime.p50) * 10) / 10;
console.log(
  `targets: head-of-line same-mailbox no-op p99 ${hol.sameMailbox.p99} ms (≤ 2× other-mailbox p99 ${hol.otherMailbox.p99} ms = ` +
    `${Math.round(2 * hol.otherMailbox.p99 * 1000) / 1000}, and ≤ 25) ${verdict(holMet)}; ` +
    `no-op p50 at 1 asker ${at1.runtime.p50} ms (≤ 0.6) ${verdict(at1.runtime.p50 <= 0.6)}; ` +
    `64 askers ${at64.runtime.perSecond} cmd/s = ${at64.throughputRatio}× raw BullMQ ${at64.raw.perSecond} (≥ 1.5×) ${verdict(at64.throughputRatio >= 1.5)}; ` +
    `256 askers p95 ${at256.runtime.p95} ms = ${tailRatio}× p50 ${at256.runtime.p50} (≤ 5×) ${verdict(at256.runtime.p95 <= 5 * at256.runtime.p50)} ` +
    `[diagnostic, keys even over the mailboxes: ${Math.round((even.p95 / even.p50) * 10) / 10}×]`,
);
console.log(JSON.stringify({ bench: 'runtime', ...figures, headOfLine }));
