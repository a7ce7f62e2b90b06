// Friendly start: a fresh DATA_DIR on the simulator gets the sample salon; with real Cal.com a
// missing catalog stops with exit 78 and a line naming CATALOG_FILE and `catalog import`.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SAMPLE_CATALOG_FILE } from '../helpers/service.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbr-start-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const baseEnv = () => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', LOG_LEVEL: 'info' };
  return env;
};
const main = (env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });

test('with CALCOM_API_KEY and no catalog: exit 78, one line naming CATALOG_FILE and catalog import', () => {
  const data = join(dir, 'real');
  const res = main({ ...baseEnv(), DATA_DIR: data, CALCOM_API_KEY: 'cal_live_x', RETELL_API_KEY: 'key_x', CALCOM_WEBHOOK_SECRET: 'whsec' });
  assert.equal(res.status, 78, res.stderr);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`^CATALOG_FILE=${data}/catalog\\.json: no catalog there\\. Import one from Cal\\.com with \`catalog import`));
  assert.ok(!existsSync(join(data, 'catalog.json')), 'nothing is seeded for real Cal.com');
});

test('a broken catalog names CATALOG_FILE and the field', () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify({ companies: [{ id: 'Bad Id', name: 'x', services: [] }] }));
  const res = main({ ...baseEnv(), DATA_DIR: join(dir, 'broken'), CATALOG_FILE: file });
  assert.equal(res.status, 78, res.stderr);
  assert.match(res.stderr, new RegExp(`^CATALOG_FILE=${file}: ${file} is invalid:\\n  companies\\.0\\.id: expected lowercase`));
});

test('unknown arguments are a usage error (64); a command runs without starting the service', () => {
  assert.equal(main(baseEnv(), ['--bogus']).status, 64);
  const list = main({ ...baseEnv(), CATALOG_FILE: SAMPLE_CATALOG_FILE }, ['token', 'list']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^salon-schmidt\tcustomer\t2159e4031044…/);
});

test('simulator mode on an empty DATA_DIR: the sample salon catalog is written and said in the log', async () => {
  const data = join(dir, 'sim');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...baseEnv(), DATA_DIR: data }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  try {
    const started = Date.now();
    while (!out.includes('service started') && Date.now() - started < 30_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /service started/);
    const seeded = out.split('\n').find((l) => l.includes('no catalog found'));
    assert.ok(seeded, out);
    assert.equal(JSON.parse(seeded).file, join(data, 'catalog.json'));
    assert.equal(readFileSync(join(data, 'catalog.json'), 'utf8'), readFileSync(SAMPLE_CATALOG_FILE, 'utf8'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(child.exitCode, 0);
});
