// kill -9 of the embedded redis-server under a running service: it is started again on its files,
// /healthz says 503 while Redis does not answer (a supervisor would see it) and 200 once it does,
// and bookings work again without anyone restarting anything by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { germanDate, mobile, startServiceHarness, waitFor, workdayAhead, type ServiceHarness } from '../helpers/service.ts';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness();
});
after(() => h?.stop());

test('a killed embedded redis comes back by itself and the service books again', async () => {
  const pidFile = join(h.dir, 'redis', 'redis.pid');
  const pidNow = () => {
    try {
      return Number(readFileSync(pidFile, 'utf8'));
    } catch {
      return undefined; // between the old server's death and the new one's start
    }
  };
  const pid = pidNow()!;
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => (await fetch(`${h.url}/healthz`)).status === 503, '/healthz to report Redis down', 5000, 5).catch(() => {
    // The restart can be faster than the first probe; what matters is that it comes back.
  });
  await waitFor(async () => pidNow() !== undefined && pidNow() !== pid && (await fetch(`${h.url}/healthz`)).status === 200, 'redis to be started again');
  const booked = await waitFor(async () => {
    const res = await h.caller(mobile(901)).fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(workdayAhead(4)), uhrzeit: '10:00', name: 'Nach Absturz' });
    return res.body.success ? res.body : undefined;
  }, 'a booking to succeed after the restart', 20_000, 200);
  assert.equal(typeof booked.appointment_id, 'number');
});


test('/healthz turns 503 once Redis has not answered for HEALTH_REDIS_GRACE_MS, and 200 again when it does', async () => {
  const svc = await startServiceHarness({ env: { HEALTH_REDIS_GRACE_MS: '300' } });
  const admin = connectRedis(svc.service.redis);
  try {
    assert.equal((await fetch(`${svc.url}/healthz`)).status, 200);
    // Redis stops answering every other client for 3 s (an overloaded or stuck server).
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    assert.equal((await fetch(`${svc.url}/healthz`)).status, 200, 'a blip inside the grace is not an outage');
    const down = await waitFor(async () => {
      const res = await fetch(`${svc.url}/healthz`);
      return res.status === 503 ? ((await res.json()) as { status: string }) : undefined;
    }, '/healthz to report the outage', 5000);
    assert.equal(down.status, 'redis_unreachable');
    await waitFor(async () => (await fetch(`${svc.url}/healthz`)).status === 200, '/healthz to recover');
  } finally {
    admin.disconnect();
    await svc.stop();
  }
});
