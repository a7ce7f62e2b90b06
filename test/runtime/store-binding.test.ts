// No accidental split brain: processes on one Redis and QUEUE_PREFIX must share one store, since a
// command runs on whichever process takes its job and uses that process's store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { StoreMismatchError } from '../../src/runtime/store-binding.ts';
import { startServiceHarness } from '../helpers/service.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

let redis: TestRedis;
before(async () => {
  redis = await startTestRedis();
});
after(() => redis?.stop());

test('a second process with another store on the same Redis and prefix refuses to start; another prefix is fine', async () => {
  const env = { REDIS_URL: redis.url, QUEUE_PREFIX: 'splitbrain' };
  const first = await startServiceHarness({ env });
  try {
    await assert.rejects(startServiceHarness({ env }), (error: Error) => {
      assert.ok(error instanceof StoreMismatchError, String(error));
      assert.match(error.message, /QUEUE_PREFIX "splitbrain"/);
      assert.match(error.message, /another store/);
      return true;
    });
    const other = await startServiceHarness({ env: { ...env, QUEUE_PREFIX: 'splitbrain-2' } });
    await other.stop();
    // the first one keeps working
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  } finally {
    await first.stop();
  }
});
