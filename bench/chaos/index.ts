// `npm run chaos -- crash|redis|faults [--full]`: short form by default (seconds), the full
// form with --full. Progress goes to stderr; the last stdout line is one JSON object.
import { stderrLog } from './common.ts';

const [scenario, ...flags] = process.argv.slice(2);
const full = flags.includes('--full');

const scenarios: Record<string, () => Promise<{ violations: number }>> = {
  crash: async () => (await import('./crash.ts')).runCrash({ kills: full ? 100 : 10, log: stderrLog }),
  redis: async () => (await import('./redis.ts')).runRedisRestart({ restarts: full ? 5 : 1, log: stderrLog }),
  faults: async () => (await import('./faults.ts')).runFaults({ durationMs: full ? 120_000 : 20_000, log: stderrLog }),
};

const run = scenario ? scenarios[scenario] : undefined;
if (!run) {
  console.error(`usage: npm run chaos -- <${Object.keys(scenarios).join('|')}> [--full]`);
  process.exit(2);
}
const result = await run();
console.log(JSON.stringify(result));
process.exit(result.violations === 0 ? 0 : 1);
