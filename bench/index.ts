// `npm run bench -- <name>`: runs one benchmark; each prints a table and, last, one JSON line.
const benches: Record<string, () => Promise<unknown>> = {
  runtime: () => import('./runtime.ts'),
  stats: () => import('./stats.ts'),
  admin: () => import('./admin.ts'),
  defer: () => import('./defer.ts'),
};

const name = process.argv[2];
const run = name ? benches[name] : undefined;
if (!run) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await run();
