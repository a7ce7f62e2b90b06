// `npm test`: every test/**/*.test.ts under node:test (Node 20's --test takes no globs).
// The heavy end-to-end suites (separate processes under load: chaos, load, binary) run after
// the others and one at a time, so that their CPU use never skews the timing-sensitive tests.
// Extra arguments narrow the run, e.g. `npm test -- test/runtime` runs one folder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const HEAVY = ['test/chaos', 'test/load', 'test/binary'];

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = roots
  .flatMap((root) =>
    statSync(root).isDirectory()
      ? readdirSync(root, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => join(root, f))
      : [root],
  )
  .sort();
const heavy = files.filter((f) => HEAVY.some((dir) => f.startsWith(`${dir}/`)));
const light = files.filter((f) => !heavy.includes(f));

function run(group, concurrency) {
  if (group.length === 0) return 0;
  const { status } = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...group],
    { stdio: 'inherit' },
  );
  return status ?? 1;
}

const failed = run(light, 2) || 0;
const heavyFailed = run(heavy, 1) || 0;
process.exit(failed || heavyFailed);
