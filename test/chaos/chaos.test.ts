// The short chaos runs (`npm run chaos -- crash|redis|faults`) as tests: the whole stack in
// separate processes (Cal.com simulator, service with embedded Redis), driven over HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stderrLog, type Log } from '../../bench/chaos/common.ts';
import { runCrash } from '../../bench/chaos/crash.ts';
import { runFaults } from '../../bench/chaos/faults.ts';
import { runRedisRestart } from '../../bench/chaos/redis.ts';
import type { InvariantReport } from '../../bench/chaos/invariants.ts';

const log: Log = process.env.CHAOS_VERBOSE ? stderrLog : () => {};

function assertInvariants(report: InvariantReport): void {
  assert.deepEqual(report.details, [], 'no invariant is broken');
  assert.equal(report.lostSuccesses, 0, 'every success the agent heard is booked locally and in Cal.com');
  assert.equal(report.pendingAppointments, 0, 'no appointment is left pending');
  assert.equal(report.openOrphans, 0, 'no orphan stays open after the sweeper ran');
  assert.equal(report.overlappingCalcomBookings, 0, 'no two live Cal.com bookings overlap');
  assert.equal(report.liveLocalAppointments, report.liveCalcomBookings, 'live bookings match one to one');
}

test('crash: 10 SIGKILLs at random moments during bookings lose nothing and double-book nothing', async () => {
  const result = await runCrash({ kills: 10, callers: 6, log });
  assert.equal(result.kills, 10);
  assert.ok(result.killsWithPendingIntent >= 1, 'at least one kill landed between intent and Cal.com answer');
  assert.ok(result.bookingsSucceeded >= 10, `bookings went through between kills (${result.bookingsSucceeded})`);
  assertInvariants(result.invariants);
  assert.equal(result.violations, 0);
});

test('redis restart: the runtime reconnects, every mailbox consumes again, no confirmed booking is lost', async () => {
  const result = await runRedisRestart({ restarts: 1, log });
  assert.equal(result.recovered, 1, 'healthz/readyz ok and bookings succeed after Redis is back');
  assert.equal(result.mailboxesNotAnswering, 0, 'a booking in each of the 16 mailboxes is answered');
  assert.equal(result.unstructuredReplies, 0, 'every function call got a structured reply');
  assertInvariants(result.invariants);
  assert.equal(result.violations, 0);
});

test('redis kill -9 under traffic: the service restarts its own redis-server, every mailbox consumes again, nothing confirmed is lost', async () => {
  const result = await runRedisRestart({ restarts: 1, kill: true, log });
  assert.equal(result.recovered, 1, 'healthz/readyz ok and bookings succeed after the service brought Redis back');
  assert.equal(result.mailboxesNotAnswering, 0, 'a booking in each of the 16 mailboxes is answered');
  assert.equal(result.unstructuredReplies, 0, 'every function call got a structured reply');
  assertInvariants(result.invariants);
  assert.equal(result.violations, 0);
});

test('Cal.com faults (20 % 429/5xx/timeouts): every call answers within its deadline, nothing is left behind', async () => {
  const result = await runFaults({ durationMs: 15_000, log });
  const injected = Object.values(result.calcomFaultsInjected).reduce((a, b) => a + b, 0);
  assert.ok(injected > 0, 'faults were injected');
  assert.equal(result.unstructuredReplies, 0, 'every reply is a structured 200');
  assert.equal(result.lateReplies, 0, `every reply within deadline + slack (max ${result.latencyMs.max} ms)`);
  assertInvariants(result.invariants);
  assert.equal(result.violations, 0);
});
