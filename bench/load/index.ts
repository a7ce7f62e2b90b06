// `npm run load -- [same-slot|flood|calls|all] [--full]`: the load scenarios against the real
// service (separate process, embedded Redis) and the Cal.com simulator (separate process,
// log-normal 400–2000 ms latency, Cal.com's 120 requests/min limit). Short forms by default
// (seconds); `--full` runs the durations. Last line: one JSON object with the figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress } from '../lib.ts';
import { writeLoadCatalog } from '../stack/load-catalog.ts';
import { Stack } from '../stack/stack.ts';
import { wholeCalls } from './calls.ts';
import { flood } from './flood.ts';
import { sameSlot } from './same-slot.ts';

const args = process.argv.slice(2);
const full = args.includes('--full');
const which = args.find((a) => !a.startsWith('--')) ?? 'all';
const known = ['same-slot', 'flood', 'calls', 'all'];
if (!known.includes(which)) {
  console.error(`usage: npm run load -- [${known.join('|')}] [--full]`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'vbr-load-'));
const { file, companies } = writeLoadCatalog(dir, 50);
const figures: Record<string, unknown> = { mode: full ? 'full' : 'short' };

async function scenario(name: string, run: (stack: Stack) => Promise<{ ok: boolean }>, stackOptions: { simRateLimit?: number; env?: Record<string, string> } = {}) {
  if (which !== 'all' && which !== name) return;
  progress(`${name}: starting simulator and service …`);
  const stack = await Stack.start({ catalogFile: file, simLatency: 'production', ...stackOptions });
  try {
    progress(`${name}: running (${full ? 'full' : 'short'} form) …`);
    const result = await run(stack);
    figures[name] = result;
    console.log(`\n== ${name} ${result.ok ? 'PASS' : 'FAIL'}`);
    console.log(JSON.stringify(result, null, 2));
    if ('targets' in result) console.log(`targets: ${result.targets}`);
  } finally {
    await stack.stop();
  }
}

await scenario('same-slot', (stack) => sameSlot(stack, companies[0]!, { rate: 50, seconds: full ? 10 : 3 }));
await scenario('flood', (stack) => flood(stack, companies[1]!, { rate: 100, seconds: full ? 60 : 12, warmupSeconds: full ? 10 : 4 }), { simRateLimit: 120 });
// The default PARTITIONS: a booking's Cal.com create runs outside its mailbox, so no key waits behind another's.
await scenario('calls', (stack) => wholeCalls(stack, companies, { callersPerSecond: 10, seconds: full ? 300 : 10, thinkMs: [2000, 5000] }));

rmSync(dir, { recursive: true, force: true });
const ok = Object.values(figures).every((f) => typeof f !== 'object' || (f as { ok: boolean }).ok);
console.log(JSON.stringify({ load: figures, ok }));
process.exit(ok ? 0 : 1);
