// Any number of processes starting at the same moment on a fresh store — a SQLite file or a
// PostgreSQL database — migrate it exactly once, and none of them crashes ("table companies
// already exists" before). They all end up with the same store identity.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { postgresMigrations, sqliteMigrations } from '../../src/store/migrations.ts';
import { freshPostgres } from '../helpers/database.ts';

const storeModule = fileURLToPath(new URL('../../src/store/index.ts', import.meta.url));
const PROCESSES = 8;

function openInChild(location: string): Promise<{ code: number | null; output: string }> {
  const script = `import { openStore } from ${JSON.stringify(storeModule)}; const s = await openStore(${JSON.stringify(location)}); console.log('store ' + s.storeId); await s.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function openAllAtOnce(location: string): Promise<string[]> {
  const results = await Promise.all(Array.from({ length: PROCESSES }, () => openInChild(location)));
  assert.deepEqual(results.filter((r) => r.code !== 0).map((r) => r.output), [], 'no process failed');
  return results.map((r) => /store (\w+)/.exec(r.output)?.[1] ?? `(none in ${r.output})`);
}

test('eight processes opening one fresh SQLite file at once: every migration runs once, none crashes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-migrate-'));
  try {
    const file = join(dir, 'booking.sqlite');
    const ids = await openAllAtOnce(file);
    assert.equal(new Set(ids).size, 1, `one store identity: ${ids.join(', ')}`);
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), sqliteMigrations.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((t) => (t as { name: string }).name);
    assert.ok(tables.includes('appointments') && tables.includes('call_changes'), tables.join(', '));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eight processes opening one fresh PostgreSQL database at once: migrated once (advisory lock), none crashes', async () => {
  const pg = await freshPostgres('migrate');
  try {
    const ids = await openAllAtOnce(pg.url);
    assert.equal(new Set(ids).size, 1, `one store identity: ${ids.join(', ')}`);
    assert.deepEqual(await pg.query('SELECT version FROM schema_version'), [{ version: postgresMigrations.length }]);
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM store_meta WHERE key = 'store_id'"), [{ n: 1 }]);
    const tables = (await pg.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename);
    assert.ok(tables.includes('appointments') && tables.includes('call_changes'), tables.join(', '));
  } finally {
    await pg.drop();
  }
});
