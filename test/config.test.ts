import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

test('defaults need no configuration at all', () => {
  const config = loadConfig({});
  assert.equal(config.PARTITIONS, 16);
  assert.equal(config.REDIS_URL, undefined);
  assert.equal(config.DATA_DIR, 'data');
});

test('a wrong value names the variable and what is expected', () => {
  assert.throws(
    () => loadConfig({ PARTITIONS: 'viele', REDIS_URL: 'http://localhost', LOG_LEVEL: 'loud' }),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PARTITIONS="viele": .*number/);
      assert.match(error.message, /REDIS_URL="http:\/\/localhost": expected redis:\/\//);
      assert.match(error.message, /LOG_LEVEL="loud"/);
      return true;
    },
  );
});

test('the service refuses to start on a wrong value, with the message on stderr', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PARTITIONS: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 78);
  assert.match(result.stderr, /PARTITIONS="0"/);
});

test('without redis-server installed the service says how to install it or set REDIS_URL', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, REDIS_URL: '', REDIS_SERVER_BIN: 'no-such-redis-server', DATA_DIR: '/tmp/vbr-no-redis', CATALOG_FILE: 'data/catalog.json' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 69);
  assert.match(result.stderr, /apt-get install -y redis-server/);
});

test('a catalog with a bad field stops the service with the field named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-bad-catalog-'));
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify({ companies: [{ id: 'Salon X', name: 'X', services: [] }] }));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, CATALOG_FILE: file, DATA_DIR: dir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(result.status, 78);
  assert.match(result.stderr, /companies\.0\.id: expected lowercase letters/);
  assert.match(result.stderr, /companies\.0\.services/);
});
