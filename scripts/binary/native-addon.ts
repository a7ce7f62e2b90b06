// The better-sqlite3 addon inside the single binary. The bundle maps the `bindings`
// package (better-sqlite3's addon locator) to `bindings()` below: the addon's bytes are
// a SEA asset; at first use they are written to a cache directory (checked by SHA-256
// on every start) and loaded with process.dlopen. `new Database(file)` in src/ needs no
// change and no node_modules.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants, homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as sea from 'node:sea';

/** Filled in by scripts/binary/build.mjs (esbuild `define`); absent when run from source. */
declare const __VBR_BUILD__: BuildInfo | undefined;

export interface BuildInfo {
  name: string;
  version: string;
  node: string;
  builtAt: string;
  addon: { asset: string; sha256: string; bytes: number };
}

export const buildInfo: BuildInfo | undefined = typeof __VBR_BUILD__ === 'undefined' ? undefined : __VBR_BUILD__;

export interface LoadedAddon {
  /** Where the loaded file lives. */
  path: string;
  /** true when the file was already in the cache (hash checked), false when written now. */
  cached: boolean;
  exports: unknown;
}

const APP = 'voice-booking-runtime';
let loaded: LoadedAddon | undefined;

/** Stand-in for the `bindings` package inside the bundle: `bindings('better_sqlite3.node')`. */
export function bindings(name: string): unknown {
  const file = name.endsWith('.node') ? name : `${name}.node`;
  if (file !== 'better_sqlite3.node') {
    throw new Error(`${APP}: native addon "${file}" is not embedded in this binary (only better_sqlite3.node is)`);
  }
  return loadBetterSqlite3Addon().exports;
}

/** Extracts (if needed) and loads the embedded addon once per process. */
export function loadBetterSqlite3Addon(): LoadedAddon {
  if (loaded) return loaded;
  const info = buildInfo;
  if (!info) throw new Error(`${APP}: not a binary build (scripts/binary/build.mjs defines the embedded addon)`);
  if (!sea.isSea()) {
    // The bundle run by a plain `node app.cjs` (debugging a build): the addon sits next to it.
    const path = join(__dirname, info.addon.asset);
    loaded = { path, cached: true, exports: dlopen(path) };
    return loaded;
  }
  const bytes = new Uint8Array(sea.getRawAsset(info.addon.asset) as ArrayBuffer);
  if (sha256(bytes) !== info.addon.sha256) throw new Error(`${APP}: embedded ${info.addon.asset} does not match its recorded SHA-256`);
  loaded = extractAndLoad(info.addon.asset, bytes, info.addon.sha256);
  return loaded;
}

/**
 * Directories tried in order; the first that is ours, writable and allows mapping
 * executable code (a `noexec` /tmp does not) wins:
 * systemd's CacheDirectory= ($CACHE_DIRECTORY), $XDG_CACHE_HOME, ~/.cache, $DATA_DIR/.cache, the temp dir.
 */
export function cacheDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  const cacheDirectory = env.CACHE_DIRECTORY?.split(':')[0];
  if (cacheDirectory) dirs.push(cacheDirectory);
  if (env.XDG_CACHE_HOME) dirs.push(join(env.XDG_CACHE_HOME, APP));
  const home = env.HOME || safeHomedir();
  if (home) dirs.push(join(home, '.cache', APP));
  dirs.push(join(env.DATA_DIR || 'data', '.cache'));
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  dirs.push(join(tmpdir(), `${APP}-${uid}`));
  return [...new Set(dirs.map((dir) => resolve(dir)))];
}

function extractAndLoad(asset: string, bytes: Uint8Array, digest: string): LoadedAddon {
  const failures: string[] = [];
  for (const root of cacheDirCandidates()) {
    const dir = join(root, 'native', digest.slice(0, 16));
    const path = join(dir, asset);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      assertOwnDir(root);
      assertOwnDir(dir);
      let cached = existsSync(path) && sha256(readFileSync(path)) === digest;
      if (!cached) {
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes, { mode: 0o700 });
        chmodSync(tmp, 0o700);
        renameSync(tmp, path); // atomic: a concurrent start sees the old file or the whole new one
        cached = false;
      }
      return { path, cached, exports: dlopen(path) };
    } catch (error) {
      failures.push(`  ${path}: ${(error as Error).message.split('\n')[0]}`);
      rmSync(`${path}.${process.pid}.tmp`, { force: true });
    }
  }
  throw new Error(
    `${APP}: could not unpack the SQLite addon into any cache directory:\n${failures.join('\n')}\n` +
      'Set XDG_CACHE_HOME (or systemd CacheDirectory=) to a writable directory on a filesystem without noexec.',
  );
}

/** Refuses directories another user could write into (someone could swap the addon). */
function assertOwnDir(dir: string): void {
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error('not a directory');
  const uid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
  if (stat.uid !== uid) throw new Error(`owned by uid ${stat.uid}, not by this user (${uid})`);
  if (stat.mode & 0o022) throw new Error('writable by group or others');
}

function dlopen(path: string): unknown {
  const module = { exports: {} as unknown };
  process.dlopen(module, path, constants.dlopen.RTLD_NOW);
  return module.exports;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
