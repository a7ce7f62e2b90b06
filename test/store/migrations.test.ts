// Any number of processes starting at the same moment on a fresh SQLite file migrate it exactly
// once, and none of them crashes ("table companies already exists" before).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { migrations } from '../../src/store/migrations.ts';

const dbModule = fileURLToPath(new URL('../../src/store/db.ts', import.meta.url));

function openInChild(file: string): Promise<{ code: number | null; output: string }> {
  const script = `import { openDatabase } from ${JSON.stringify(dbModule)}; openDatabase(${JSON.stringify(file)}).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('eight processes opening one fresh SQLite file at once: every migration runs once, none crashes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-migrate-'));
  try {
    const file = join(dir, 'booking.sqlite');
    const results = await Promise.all(Array.from({ length: 8 }, () => openInChild(file)));
    assert.deepEqual(results.filter((r) => r.code !== 0).map((r) => r.output), [], 'no process failed');
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((t) => (t as { name: string }).name);
    assert.ok(tables.includes('appointments') && tables.includes('call_changes'), tables.join(', '));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
