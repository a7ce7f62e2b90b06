// `npm run build:binary`: one executable for linux-x64 that runs the whole service on a
// machine with nothing but redis-server installed. Node's Single Executable Application
// route (Node 20):
//   1. esbuild bundles scripts/binary/entry.ts and every dependency into one CommonJS file
//      (the SEA main script may only require() built-in modules);
//   2. `node --experimental-sea-config` turns it into a blob, with the better-sqlite3
//      addon as an asset (unpacked and dlopen'ed at start, see native-addon.ts);
//   3. a copy of this very node binary (symbols stripped) gets the blob injected
//      with postject;
//   4. the result runs `--self-check` once, so a broken binary fails the build.
//
// Options: --out-dir DIR (default dist/binary)  --name NAME  --no-strip  --no-check
//          --keep-work (keep DIR/.work: app.cjs, sea-config.json, the blob)
//          --entry FILE (another entry, e.g. to try a dependency inside a SEA; default entry.ts)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ADDON_ASSET = 'better_sqlite3.node';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(join(root, 'package.json'));

const { values: opts } = parseArgs({
  options: {
    'out-dir': { type: 'string', default: join(root, 'dist', 'binary') },
    name: { type: 'string', default: 'voice-booking-runtime' },
    'no-strip': { type: 'boolean', default: false },
    'no-check': { type: 'boolean', default: false },
    'keep-work': { type: 'boolean', default: false },
    entry: { type: 'string', default: join(here, 'entry.ts') },
  },
});

const started = Date.now();
const step = (message) => console.log(`[build:binary] ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${message}`);
const fail = (message) => {
  console.error(`[build:binary] error: ${message}`);
  process.exit(1);
};

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`builds linux-x64 binaries only (this is ${process.platform}-${process.arch})`);
if (Number(process.versions.node.split('.')[0]) < 20) fail(`needs Node 20 or newer (this is ${process.version})`);

const outDir = resolve(opts['out-dir']);
const work = join(outDir, '.work');
const exe = join(outDir, opts.name);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// --- inputs --------------------------------------------------------------------------
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const addonPath = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', ADDON_ASSET);
const addon = readFileSync(addonPath);
const catalogText = readFileSync(join(root, 'data', 'catalog.json'), 'utf8');
try {
  JSON.parse(catalogText);
} catch (error) {
  fail(`data/catalog.json is not valid JSON: ${error.message}`);
}
const buildInfo = {
  name: opts.name,
  version: pkg.version,
  node: process.version,
  builtAt: new Date().toISOString(),
  addon: { asset: ADDON_ASSET, sha256: createHash('sha256').update(addon).digest('hex'), bytes: addon.length },
};

// --- 1. bundle -----------------------------------------------------------------------
const { build } = await import('esbuild');
const nativeAddonModule = join(here, 'native-addon.ts');
// This Node's built-ins (the SEA's require() loads these and nothing else).
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:sea', 'node:test']);
/** Packages that must not be looked up in node_modules at run time, resolved at build time instead. */
const NOT_BUNDLED = {
  // msgpackr (BullMQ's job serializer) tries the optional native msgpackr-extract; null = its pure-JS path.
  'msgpackr-extract': 'module.exports = null;',
  // BullMQ's Valkey GLIDE client (unused: we connect with ioredis) requires it inside a try.
  '@valkey/valkey-glide': missing('@valkey/valkey-glide'),
  // debug (ioredis, koa) colours its output with it when installed, inside a try.
  'supports-color': missing('supports-color'),
  // pg loads its optional libpq binding only when asked for pg.native (we use the pure-JS client).
  'pg-native': missing('pg-native'),
};
function missing(name) {
  return `throw Object.assign(new Error(${JSON.stringify(`${name} is not part of the binary`)}), { code: 'MODULE_NOT_FOUND' });`;
}
const notBundledFilter = new RegExp(`^(${Object.keys(NOT_BUNDLED).map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
const nativeModules = {
  name: 'vbr-native-modules',
  setup(b) {
    // better-sqlite3 finds its addon with require('bindings')('better_sqlite3.node').
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'vbr-native' }));
    b.onResolve({ filter: notBundledFilter }, ({ path }) => ({ path, namespace: 'vbr-native' }));
    // Built-ins of newer Nodes that libraries feature-test for (undici: node:sqlite). The
    // SEA's require() would throw the same error, but also print a warning.
    b.onResolve({ filter: /^node:/ }, ({ path }) => (builtins.has(path) ? undefined : { path, namespace: 'vbr-newer-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'vbr-newer-builtin' }, ({ path }) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`No such built-in module: ${path}`)}), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'vbr-native' }, ({ path }) =>
      path === 'bindings'
        ? { contents: `module.exports = require(${JSON.stringify(nativeAddonModule)}).bindings;`, resolveDir: here, loader: 'js' }
        : { contents: NOT_BUNDLED[path], loader: 'js' },
    );
  },
};
const bundleFile = join(work, 'app.cjs');
const bundled = await build({
  absWorkingDir: root,
  entryPoints: [resolve(opts.entry)],
  outfile: bundleFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  plugins: [nativeModules],
  define: {
    __VBR_BUILD__: JSON.stringify(buildInfo),
    __VBR_DEFAULT_CATALOG__: JSON.stringify(catalogText),
    // ESM-only code asking where it lives gets the executable's location.
    'import.meta.url': '__vbr_import_meta_url',
    'import.meta.filename': '__filename',
    'import.meta.dirname': '__dirname',
  },
  banner: { js: 'var __vbr_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  legalComments: 'none',
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
});
if (bundled.warnings.length) fail(`esbuild reported ${bundled.warnings.length} warning(s), see above`);

// Anything left for require() at run time must be a Node built-in: the SEA cannot load
// files, and a native loader in the graph means an addon that is not embedded.
const problems = [];
for (const [input, { imports }] of Object.entries(bundled.metafile.inputs)) {
  for (const imp of imports) if (imp.external && !imp.path.startsWith('<') && !builtins.has(imp.path)) problems.push(`${input} requires "${imp.path}" at run time`);
  if (/(^|\/)node_modules\/(bindings|node-gyp-build[^/]*|prebuild-install|node-pre-gyp|@mapbox\/node-pre-gyp)\//.test(input)) {
    problems.push(`${input}: a native-addon loader is in the bundle; embed its addon like better-sqlite3's (scripts/binary/native-addon.ts)`);
  }
  if (input.endsWith('.node')) problems.push(`${input}: native addon imported directly`);
}
if (problems.length) fail(`the bundle is not self-contained (stub optional packages in NOT_BUNDLED):\n  ${problems.slice(0, 20).join('\n  ')}`);
step(`bundled ${Object.keys(bundled.metafile.inputs).length} modules → ${relative(root, bundleFile)} (${mb(statSync(bundleFile).size)})`);

// --- 2. SEA blob -----------------------------------------------------------------------
const blobFile = join(work, 'sea-prep.blob');
const seaConfig = {
  main: bundleFile,
  output: blobFile,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  assets: { [ADDON_ASSET]: addonPath },
};
writeFileSync(join(work, 'sea-config.json'), `${JSON.stringify(seaConfig, null, 2)}\n`);
run(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')]);
copyFileSync(addonPath, join(work, ADDON_ASSET)); // lets `node .work/app.cjs` run the bundle for debugging
step(`SEA blob with ${ADDON_ASSET} (${mb(addon.length)}) → ${relative(root, blobFile)} (${mb(statSync(blobFile).size)})`);

// --- 3. executable -----------------------------------------------------------------------
const nodeBinary = readFileSync(process.execPath);
if (nodeBinary.indexOf(`${SENTINEL_FUSE}:0`) === -1) {
  fail(`${process.execPath} has no unused SEA fuse (already an injected binary, or a Node built without SEA support)`);
}
const tmpExe = join(work, opts.name);
copyFileSync(process.execPath, tmpExe);
chmodSync(tmpExe, 0o755);
if (!opts['no-strip']) {
  // The symbol table and debug info are ~12 MB of the Node binary. Addons link against
  // the dynamic symbols, which strip keeps.
  const stripped = spawnSync('strip', ['--strip-all', tmpExe], { encoding: 'utf8' });
  if (stripped.error?.code === 'ENOENT') step('strip not found (apt-get install binutils): keeping the symbol table');
  else if (stripped.status !== 0) fail(`strip failed:\n${stripped.stderr}`);
}
// postject's LIEF prints a "Can't find string offset for section name '.note…'" line per
// note section of Node's binary through console.warn; harmless, so shown only on failure.
const { inject } = require('postject');
const liefOutput = [];
const consoleWarn = console.warn;
console.warn = (...args) => void liefOutput.push(args.join(' '));
try {
  await inject(tmpExe, 'NODE_SEA_BLOB', readFileSync(blobFile), { sentinelFuse: SENTINEL_FUSE });
} catch (error) {
  fail(`postject failed: ${error.message}\n${liefOutput.join('\n')}`);
} finally {
  console.warn = consoleWarn;
}
renameSync(tmpExe, exe); // same filesystem: atomic, a running copy of the old binary is not disturbed
step(`injected into a copy of ${process.execPath} (node ${process.version}) → ${exe} (${mb(statSync(exe).size)})`);

// --- 4. check ----------------------------------------------------------------------------
if (!opts['no-check']) {
  const checkDir = join(work, 'check');
  mkdirSync(checkDir, { recursive: true });
  const check = spawnSync(exe, ['--self-check'], {
    cwd: checkDir,
    encoding: 'utf8',
    // A PATH without node and a private cache: the binary must need neither.
    env: { PATH: '/usr/bin:/bin', HOME: checkDir, XDG_CACHE_HOME: join(checkDir, 'cache'), TMPDIR: checkDir },
    timeout: 30_000,
  });
  if (check.status !== 0 || check.stderr.trim()) fail(`the binary failed its self-check (exit ${check.status}):\n${check.stdout}${check.stderr}`);
  step(`self-check passed: ${check.stdout.trim()}`);
}
if (!opts['keep-work']) rmSync(work, { recursive: true, force: true });
step(`done: ${exe} (${mb(statSync(exe).size)})`);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
