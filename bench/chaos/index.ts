// `npm run chaos -- crash|redis|redis-kill|faults|machines [--full]`: short form by default (seconds), the full
// form with --full. Progress goes to stderr; stdout gets the percentiles and, last, one JSON line.
import { printTable } from '../lib.ts';
import { stderrLog, type Percentiles } from './common.ts';

const [scenario, ...flags] = process.argv.slice(2);
const full = flags.includes('--full');

const scenarios: Record<string, () => Promise<{ violations: number }>> = {
  crash: async () => (await import('./crash.ts')).runCrash({ kills: full ? 100 : 10, log: stderrLog }),
  redis: async () => (await import('./redis.ts')).runRedisRestart({ restarts: full ? 5 : 1, downMs: full ? [1000, 5000, 2000, 9000, 3000] : 2000, log: stderrLog }),
  'redis-kill': async () => (await import('./redis.ts')).runRedisRestart({ restarts: full ? 5 : 1, kill: true, log: stderrLog }),
  faults: async () => (await import('./faults.ts')).runFaults({ durationMs: full ? 120_000 : 20_000, log: stderrLog }),
  // Two machines on one Redis and one PostgreSQL (DATABASE_URL, else a fresh database on the local server).
  machines: async () =>
    (await import('./machines.ts')).runMachines({
      ...(full ? { callers: 64, rounds: 10, kills: 20, salons: 4, starts: ['10:00', '10:30', '11:00', '11:30', '12:00', '12:30'] } : { callers: 16, rounds: 2, kills: 2 }),
      ...(process.env.DATABASE_URL && { databaseUrl: process.env.DATABASE_URL }),
      log: stderrLog,
    }),
};

const run = scenario ? scenarios[scenario] : undefined;
if (!run) {
  console.error(`usage: npm run chaos -- <${Object.keys(scenarios).join('|')}> [--full]`);
  process.exit(2);
}
const result = await run();
const rows = Object.entries(result as Record<string, unknown>)
  .filter((entry): entry is [string, Percentiles] => typeof entry[1] === 'object' && entry[1] !== null && 'p50' in entry[1])
  .map(([name, p]) => ({ figure: name, n: p.count, p50: p.p50, p95: p.p95, p99: p.p99, max: p.max }));
printTable(rows);
console.log(JSON.stringify(result));
process.exit(result.violations === 0 ? 0 : 1);
