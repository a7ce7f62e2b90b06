// `npm run bench -- defer` (diagnostic, no target): what one deferral costs the runtime. A handler
// defers an effect that sleeps EFFECT_MS (a stand-in for Cal.com) and settles; the asker's latency
// minus the effect's own time is the runtime's share, next to a no-op's, with each phase's p50 / p95
// (ask → run → effect → effect done → settle → reply). Open loop at RATE asks/s, COUNT asks a round.
// MONITOR=1 also counts the Redis commands of the measured asks (Lua scripts' inner calls included;
// it slows Redis down); SLOWLOG=1 lists where Redis itself spends its time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { ActorRuntime } from '../src/runtime/actor-runtime.ts';
import { defineActor, handler } from '../src/runtime/actor.ts';
import { EmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { connectRedis } from '../src/runtime/redis-connection.ts';
import { percentile, printTable } from './lib.ts';

const EFFECT_MS = Number(process.env.EFFECT_MS ?? 200);
const COUNT = Number(process.env.COUNT ?? 100);
const RATE = Number(process.env.RATE ?? 20); // asks per second, open loop
const PARTITIONS = 16;

const dir = mkdtempSync(join(tmpdir(), 'vbr-defer-'));
const redis = await EmbeddedRedis.start({ dir });
const endpoint = { path: redis.socketPath };
const logger = pino({ level: 'warn' });

type Stamps = Record<string, number>;
const stamps = new Map<string, Stamps>();
const stamp = (id: string, phase: string) => {
  const s = stamps.get(id) ?? {};
  s[phase] ??= performance.now();
  stamps.set(id, s);
};

const runtime = await ActorRuntime.create({ redis: endpoint, prefix: 'defer', partitions: PARTITIONS, retentionSeconds: 600, logger });
runtime.register(
  defineActor('slot', {
    noop: (ctx: { commandId: string }) => (stamp(ctx.commandId, 'run'), null),
    book: handler({
      input: z.unknown(),
      run: (ctx) => (stamp(ctx.commandId, 'run'), ctx.defer({ sleep: EFFECT_MS })),
      effect: async (ctx, e: { sleep: number }) => {
        stamp(ctx.commandId, 'effect');
        await new Promise((r) => setTimeout(r, e.sleep));
        stamp(ctx.commandId, 'effectDone');
        return null;
      },
      settle: (ctx) => (stamp(ctx.commandId, 'settle'), { effectMs: ctx.effectMs }),
    }),
  }),
);
await runtime.startConsuming();

let commands = 0;
if (process.env.SLOWLOG) { const c = connectRedis(endpoint); await c.call('config', 'set', 'slowlog-log-slower-than', '0'); await c.call('config', 'set', 'slowlog-max-len', '100000'); await c.call('slowlog', 'reset'); c.disconnect(); }
const monitor = connectRedis(endpoint);
const counts = new Map<string, number>();
let counting = false;
if (process.env.MONITOR) (await monitor.monitor()).on('monitor', (_time: string, args: string[]) => {
  if (!counting) return;
  commands++;
  const name = args[0] === 'evalsha' || args[0] === 'EVALSHA' ? `evalsha` : args[0]!.toLowerCase();
  counts.set(name, (counts.get(name) ?? 0) + 1);
});

async function measure(type: 'noop' | 'book', label: string) {
  const lat: number[] = [];
  const phases: Record<string, number[]> = {};
  commands = 0;
  counts.clear();
  counting = true;
  await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / RATE));
      const id = `${label}-${i}`;
      stamp(id, 'ask');
      const reply = await runtime.ask(`slot:c:${i}`, { id, type }, { deadlineMs: 30_000 });
      stamp(id, 'reply');
      if (!reply.ok) throw new Error(JSON.stringify(reply));
      const s = stamps.get(id)!;
      lat.push(s.reply! - s.ask! - (type === 'book' ? (reply.value as { effectMs: number }).effectMs : 0));
      const order = ['ask', 'run', 'effect', 'effectDone', 'settle', 'reply'].filter((p) => s[p] !== undefined);
      for (let k = 1; k < order.length; k++) (phases[`${order[k - 1]}→${order[k]}`] ??= []).push(s[order[k]!]! - s[order[k - 1]!]!);
    }),
  );
  counting = false;
  await new Promise((r) => setTimeout(r, 200));
  if (process.env.SLOWLOG) {
    const log = (await monitor.call('slowlog', 'get', '100000')) as Array<[number, number, number, string[]]>;
    await monitor.call('slowlog', 'reset');
    const by = new Map<string, number[]>();
    for (const [, , us, args] of log) {
      const name = args[0]!.toLowerCase() === 'evalsha' ? `evalsha ${String(args[3] ?? '').replace(/^.*:(mailbox-\d+):?/, '$1:')}` : args[0]!.toLowerCase();
      const k = name.replace(/mailbox-\d+/, 'mailbox').replace(/c_[\w-]+/, 'ID');
      by.set(k, [...(by.get(k) ?? []), us]);
    }
    for (const [k, us] of [...by].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, 12)) {
      console.log(label, k.padEnd(40), 'n', us.length, 'avg µs', Math.round(us.reduce((x, y) => x + y, 0) / us.length));
    }
  }
  const p = (xs: number[], q: number) => Math.round(percentile([...xs].sort((a, b) => a - b), q) * 100) / 100;
  const row: Record<string, string | number> = { mode: label, 'own p50': p(lat, 50), 'own p95': p(lat, 95), ...(process.env.MONITOR && { 'redis cmds/ask': Math.round((commands / COUNT) * 10) / 10 }) };
  for (const [name, xs] of Object.entries(phases)) row[name] = `${p(xs, 50)} / ${p(xs, 95)}`;
  return { row, counts: Object.fromEntries([...counts].map(([k, v]) => [k, Math.round((v / COUNT) * 10) / 10])) };
}

const results = [];
for (const round of [1, 2]) {
  results.push(await measure('noop', `noop${round}`));
  results.push(await measure('book', `defer${round}`));
}
await runtime.close();
monitor.disconnect();
await new Promise((r) => setTimeout(r, 100));
await redis.stop();
rmSync(dir, { recursive: true, force: true });
printTable(results.filter((r) => String(r.row.mode).startsWith('noop')).map((r) => r.row));
console.log('');
printTable(results.filter((r) => String(r.row.mode).startsWith('defer')).map((r) => r.row));
console.log(JSON.stringify({ bench: 'defer', effectMs: EFFECT_MS, rounds: results }));
