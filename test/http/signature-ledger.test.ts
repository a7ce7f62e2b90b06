// The replay ledger against a real Redis. A signature is accepted once — but a request whose own
// ledger write Redis stored without answering (it went away mid-command, and ioredis sends
// unanswered commands again on reconnect: `autoResendUnfulfilledCommands`, on by default) is
// still that request's first use: refusing it answered a real caller 401 `replayed_signature`
// (seen in the Redis-restart chaos run).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { SignatureLedger } from '../../src/retell/signature-ledger.ts';
import { startTestRedis, uniquePrefix, type TestRedis } from '../helpers/redis.ts';

let server: TestRedis;
let redis: Redis;
before(async () => {
  server = await startTestRedis();
  redis = connectRedis(server.endpoint);
});
after(async () => {
  await redis.quit();
  await server.stop();
});

test('a signature is accepted once; its own write sent again is still its first use; anyone else is refused', async () => {
  const ledger = new SignatureLedger(redis, uniquePrefix('ledger'));
  const signature = `v=${Date.now()},d=${'ab'.repeat(32)}`;
  assert.equal(await ledger.firstUse(signature, 'request-1'), true);
  assert.equal(await ledger.firstUse(signature, 'request-1'), true, 'the same request, its SET resent after a reconnect');
  assert.equal(await ledger.firstUse(signature, 'request-2'), false, 'a replay by anyone else');
  assert.equal(await ledger.firstUse(signature), false, 'a replay without a request name');
  assert.equal(await ledger.firstUse(`v=${Date.now()},d=${'cd'.repeat(32)}`), true, 'another signature');
});
