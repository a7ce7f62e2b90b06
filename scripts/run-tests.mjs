// `npm test`: every test/**/*.test.ts under node:test (Node 20's --test takes no globs).
// Extra arguments are passed on, e.g. `npm test -- test/runtime` runs one folder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = roots.flatMap((root) =>
  statSync(root).isDirectory()
    ? readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => join(root, f))
    : [root],
).sort();

const { status } = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit' },
);
process.exit(status ?? 1);
