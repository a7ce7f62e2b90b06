import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EmbeddedRedis, isAlive, RedisNotInstalledError } from '../../src/runtime/embedded-redis.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { waitFor } from '../helpers/wait.ts';


test('embedded redis starts on a private socket, keeps data across a restart, and stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-embedded-'));
  try {
    const first = await EmbeddedRedis.start({ dir });
    const pid = first.pid()!;
    assert.ok(isAlive(pid));
    const client = connectRedis({ path: first.socketPath });
    assert.equal(await client.config('GET', 'port').then((r) => (r as string[])[1]), '0', 'no TCP port is opened');
    assert.equal(await client.config('GET', 'appendonly').then((r) => (r as string[])[1]), 'yes');
    await client.set('queued-command', 'survives');
    client.disconnect();
    await first.stop();
    assert.equal(isAlive(pid), false, 'the server process is gone after stop');

    const second = await EmbeddedRedis.start({ dir });
    const again = connectRedis({ path: second.socketPath });
    assert.equal(await again.get('queued-command'), 'survives');
    again.disconnect();
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server left running by a killed run is adopted, not started twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-embedded-'));
  try {
    const first = await EmbeddedRedis.start({ dir });
    const adopted = await EmbeddedRedis.start({ dir });
    assert.equal(adopted.pid(), first.pid());
    await adopted.stop();
    assert.equal(isAlive(first.pid()!), false);
    assert.equal(existsSync(first.socketPath), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing redis-server binary gives a message saying how to install it or set REDIS_URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-embedded-'));
  try {
    await assert.rejects(EmbeddedRedis.start({ dir, bin: 'redis-server-that-is-not-installed' }), (error: Error) => {
      assert.ok(error instanceof RedisNotInstalledError);
      assert.match(error.message, /apt-get install -y redis-server/);
      assert.match(error.message, /REDIS_URL/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an embedded redis that is killed is started again on its files, with what it had written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-embedded-'));
  try {
    const redis = await EmbeddedRedis.start({ dir });
    const client = connectRedis({ path: redis.socketPath });
    client.on('error', () => {});
    await client.config('SET', 'appendfsync', 'always'); // so the key is on disk before the kill
    await client.set('queued-command', 'survives a kill');
    const pid = redis.pid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => redis.restarts === 1 && redis.pid() !== pid, 'the server to be started again');
    assert.equal(await client.get('queued-command'), 'survives a kill', 'ioredis reconnects and the data is back');
    client.disconnect();
    await redis.stop();
    assert.equal(isAlive(redis.pid()!), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
