// The single executable (`npm run build:binary`), built fresh and run the way a VM runs
// it: copied alone into an empty directory (no node_modules anywhere near), with a PATH
// that holds redis-server and nothing else — in particular no node.
import { DateTime } from 'luxon';
import { RetellCaller } from '../../src/retell/caller.ts';
import { isAlive } from '../../src/runtime/embedded-redis.ts';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDayFrom } from '../helpers/days.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const repoCatalog = readFileSync(join(root, 'data', 'catalog.json'), 'utf8');
const NAME = 'voice-booking-runtime';
const skip = process.platform === 'linux' && process.arch === 'x64' ? false : 'the binary is built for linux-x64 only';

let work: string; // short: the embedded redis socket lives under DATA_DIR
let vm: string; // stands in for the VM: the binary and nothing else
let exe: string;
let bin: string; // PATH with redis-server only
let buildOutput = '';
const children = new Set<ChildProcess>();

before(() => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'vbr-bin-'));
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'binary', 'build.mjs'), '--out-dir', join(work, 'build')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
  });
  buildOutput = build.stdout;
  assert.equal(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
  assert.equal(build.stderr, '', 'the build prints no warnings');

  vm = join(work, 'vm');
  mkdirSync(vm);
  exe = join(vm, NAME);
  copyFileSync(join(work, 'build', NAME), exe);
  chmodSync(exe, 0o755);
  rmSync(join(work, 'build'), { recursive: true, force: true });

  bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(findOnPath('redis-server'), join(bin, 'redis-server'));
  mkdirSync(join(work, 'tmp'));
});

after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // A binary killed above leaves its redis-server behind; it was started by this test.
  for (const dir of ['data', 'data2']) {
    const pidFile = join(vm ?? '', dir, 'redis', 'redis.pid');
    if (vm && existsSync(pidFile)) killIfAlive(Number(readFileSync(pidFile, 'utf8').trim()));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The environment of a bare VM: nothing inherited from the test runner. */
function vmEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: bin, HOME: join(vm, 'home'), TMPDIR: join(work, 'tmp'), LANG: 'C.UTF-8', ...extra };
}

test('the build produces one executable and checks it', { skip }, () => {
  assert.match(buildOutput, /self-check passed/);
  const size = statSync(exe).size;
  assert.ok(size > 40e6 && size < 150e6, `binary size ${size}`);
  const version = spawnSync(exe, ['--version'], { cwd: vm, env: vmEnv(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, new RegExp(`^${NAME} \\d+\\.\\d+\\.\\d+ \\(node v20\\.`));
  assert.equal(version.stderr, '');
  assert.equal(readdirSync(vm).join(), NAME, 'nothing but the binary in its directory');
});

test('the embedded SQLite addon is unpacked into a private cache dir and loaded from there', { skip }, () => {
  const selfCheck = (env: Record<string, string>) => {
    const result = spawnSync(exe, ['--self-check'], { cwd: vm, env: vmEnv(env), encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(result.stderr, '');
    return JSON.parse(result.stdout) as { ok: boolean; sqlite: string; addon: { path: string; cached: boolean }; catalog: { companies: string[] } };
  };

  // A cache dir others may write into is refused (they could swap the addon): next candidate, ~/.cache.
  const shared = join(work, 'shared-cache');
  mkdirSync(join(shared, NAME), { recursive: true });
  chmodSync(join(shared, NAME), 0o777);
  const fallback = selfCheck({ XDG_CACHE_HOME: shared });
  assert.ok(fallback.addon.path.startsWith(join(vm, 'home', '.cache', NAME, 'native')), fallback.addon.path);
  assert.equal(fallback.ok, true);
  assert.match(fallback.sqlite, /^3\.\d+/);
  assert.deepEqual(fallback.catalog.companies, (JSON.parse(repoCatalog) as { companies: { id: string }[] }).companies.map((c) => c.id));

  const xdg = join(work, 'xdg');
  const first = selfCheck({ XDG_CACHE_HOME: xdg });
  assert.ok(first.addon.path.startsWith(join(xdg, NAME, 'native')), first.addon.path);
  assert.equal(first.addon.cached, false);
  assert.equal(selfCheck({ XDG_CACHE_HOME: xdg }).addon.cached, true, 'the second start reuses the unpacked addon');

  // A damaged cached copy is replaced, not loaded.
  writeFileSync(first.addon.path, 'not an ELF file');
  const repaired = selfCheck({ XDG_CACHE_HOME: xdg });
  assert.equal(repaired.addon.cached, false);
  assert.ok(statSync(first.addon.path).size > 1e6);
});

/** "DD.MM.YYYY" of a working day (Mon–Sat, not a public holiday) at least `ahead` days from now, in Berlin. */
function nextWorkday(ahead: number): string {
  return openDayFrom(DateTime.now().setZone('Europe/Berlin').plus({ days: ahead })).toFormat('dd.MM.yyyy');
}

test('runs the service with only redis-server installed, seeds the catalog and stops cleanly on SIGTERM', { skip }, async (t) => {
  const dataDir = join(vm, 'data');
  const port = await freePort();
  const env = vmEnv({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });

  const first = startBinary(env);
  await first.waitForLog('service started');
  assert.equal(readFileSync(join(dataDir, 'catalog.json'), 'utf8'), repoCatalog, 'the sample catalog is seeded into DATA_DIR');
  assert.ok(first.logs().some((l) => l.msg?.startsWith('no catalog found')));
  assert.ok(existsSync(join(dataDir, 'redis', 'appendonlydir')) || existsSync(join(dataDir, 'redis', 'appendonly.aof')), 'redis AOF under DATA_DIR');
  const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8').trim());
  assert.ok(isAlive(redisPid));
  assert.ok(existsSync(join(dataDir, 'booking.sqlite')), 'the SQLite file lives under DATA_DIR');

  const health = await httpGet(port, '/healthz');
  assert.ok(health !== 'refused' && health.status === 200, `GET /healthz: ${JSON.stringify(health)}`);

  // One booking over HTTP, as Retell would make it, against the built-in Cal.com simulator.
  const caller = new RetellCaller({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'dev-retell-key', toNumber: '+493012345678', fromNumber: '+4915112345678' });
  const day = nextWorkday(3);
  const booked = await caller.fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: day, uhrzeit: '11:00', name: 'Binär Test' });
  assert.equal(booked.status, 200);
  assert.equal(booked.body.success, true, JSON.stringify(booked.body));
  assert.match(booked.body.message, /ist gebucht/);
  const again = await caller.fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: day, uhrzeit: '11:00', name: 'Binär Test' });
  assert.equal(again.body.appointment_id, booked.body.appointment_id, 'the repeated call returns the same booking');

  const exit = await first.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, first.output());
  assert.ok(first.logs().some((l) => l.msg === 'stopped'));
  assert.equal(first.stderr(), '', 'no warnings on stderr');
  assert.equal(isAlive(redisPid), false, 'the embedded redis-server is shut down too');

  // A restart on the same DATA_DIR keeps the operator's catalog and the queued data.
  const edited = repoCatalog.replace('"Salon Schmidt"', '"Salon Schmidt (edited)"');
  writeFileSync(join(dataDir, 'catalog.json'), edited);
  const second = startBinary(env);
  await second.waitForLog('service started');
  assert.equal(readFileSync(join(dataDir, 'catalog.json'), 'utf8'), edited);
  assert.ok(!second.logs().some((l) => l.msg?.startsWith('no catalog found')));
  assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null }, second.output());
});

test('exit codes: 78 for a wrong setting, 69 without redis-server', { skip }, () => {
  const badConfig = spawnSync(exe, [], { cwd: vm, env: vmEnv({ PORT: 'abc', DATA_DIR: join(vm, 'data2') }), encoding: 'utf8', timeout: 30_000 });
  assert.equal(badConfig.status, 78, badConfig.stderr);
  assert.match(badConfig.stderr, /PORT="abc"/);

  const empty = join(work, 'empty-bin');
  mkdirSync(empty, { recursive: true });
  const noRedis = spawnSync(exe, [], { cwd: vm, env: { ...vmEnv({ DATA_DIR: join(vm, 'data2') }), PATH: empty }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(noRedis.status, 69, `${noRedis.stdout}\n${noRedis.stderr}`);
  assert.match(noRedis.stderr, /apt-get install -y redis-server/);
});

// --- helpers -------------------------------------------------------------------------

interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

function startBinary(env: Record<string, string>) {
  const child = spawn(exe, [], { cwd: vm, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const logs = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  return {
    logs,
    output,
    stderr: () => stderr,
    async waitForLog(msg: string, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!logs().some((l) => l.msg === msg)) {
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`the binary exited before "${msg}":\n${output()}`);
        if (Date.now() > deadline) assert.fail(`no "${msg}" within ${timeoutMs} ms:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal: NodeJS.Signals, timeoutMs = 30_000) {
      child.kill(signal);
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        assert.fail(`the binary did not stop within ${timeoutMs} ms of ${signal}:\n${output()}`);
      }
      return result;
    },
  };
}

async function httpGet(port: number, path: string): Promise<{ status: number; body: string } | 'refused'> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function findOnPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (apt-get install -y ${name})`);
}


function killIfAlive(pid: number): void {
  if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
}
