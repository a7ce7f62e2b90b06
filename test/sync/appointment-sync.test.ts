import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ReconcileReply } from '../../src/actors/replies.ts';
import { slotKeyAt } from '../../src/actors/slot-key.ts';
import { AppointmentSync, SyncRejectedError, type SyncEvent, type SyncInput, type SyncStatus } from '../../src/sync/index.ts';
import { COMPANY, customer, iso, rowsWhere, startCoreHarness, upcomingWorkday, waitFor, ZONE, type CoreHarness } from '../helpers/core.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix } from '../helpers/redis.ts';

const BACKOFFS = [100, 600, 900]; // far enough apart that the growth shows through scheduling noise

describe('appointment sync (API/admin appointments) on its BullMQ queue', () => {
  let h: CoreHarness;
  let sync: AppointmentSync;
  const events: SyncEvent[] = [];
  before(async () => {
    h = await startCoreHarness();
    sync = await AppointmentSync.start({
      redis: h.redis.endpoint,
      prefix: uniquePrefix('sync'),
      runtime: h.core.runtime,
      booking: h.core.booking,
      store: h.core.store,
      catalog: h.core.catalog,
      logger: testLogger,
      backoffsMs: BACKOFFS,
      observe: (event) => events.push(event),
    });
  });
  after(async () => {
    await sync.close();
    await h.close();
  });
  beforeEach(() => h.sim.control.reset());

  const request = (requestId: string, startUtc: number, n: number, serviceId = 'herrenhaarschnitt'): SyncInput => ({
    companyId: COMPANY, serviceId, start: iso(startUtc), customer: customer(n), origin: 'api', requestId,
  });
  const finished = (requestId: string) =>
    waitFor(async () => {
      const status = await sync.status(requestId);
      return status && (status.state === 'completed' || status.state === 'failed') ? status : undefined;
    }, `sync ${requestId} to finish`);
  const attemptsOf = (requestId: string) => events.filter((e): e is Extract<SyncEvent, { type: 'attempt' }> => e.type === 'attempt' && e.requestId === requestId);

  test('Cal.com failing twice, then working: synced on the third attempt, with growing waits between attempts', async () => {
    const start = upcomingWorkday('10:00', 3);
    h.sim.control.queueFaults('create_booking', ['5xx', '5xx']);
    const { syncId } = await sync.submit(request('req-flaky', start, 1));
    const status = await finished('req-flaky');
    assert.equal(status.state, 'completed', status.failedReason);
    assert.equal(status.syncId, syncId);
    assert.equal(status.attemptsMade, 3);
    assert.equal(status.appointments.length, 1);
    const [row] = status.appointments;
    assert.equal(row!.status, 'booked');
    assert.equal(row!.origin, 'api');
    assert.equal(row!.syncStatus, 'synced');
    assert.equal(row!.syncAttempts, 3);
    assert.equal(row!.syncError, null);
    assert.deepEqual(status.result, { appointmentId: row!.id, calcomUids: [row!.calcomUid] });

    const sim = h.sim.control.stats();
    assert.equal(sim.requests.create_booking, 3);
    assert.equal(sim.bookings.active, 1, 'one booking after three tries');
    const [booking] = h.sim.control.bookings().filter((b) => b.status !== 'cancelled');
    assert.deepEqual(booking!.metadata, { commandId: 'sync:req-flaky', companyId: COMPANY, origin: 'api' });

    const at = attemptsOf('req-flaky').map((e) => e.at);
    assert.equal(at.length, 3);
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
    assert.ok(gaps[0]! >= BACKOFFS[0]!, `first wait ${gaps[0]} ms ≥ ${BACKOFFS[0]} ms`);
    assert.ok(gaps[1]! >= BACKOFFS[1]!, `second wait ${gaps[1]} ms ≥ ${BACKOFFS[1]} ms`);
    assert.ok(gaps[1]! > gaps[0]!, `waits grow: ${gaps.join(' ms, ')} ms`);
    assert.deepEqual(
      events.filter((e) => e.requestId === 'req-flaky' && e.type !== 'attempt').map((e) => e.type),
      ['retry', 'retry', 'synced'],
    );
  });

  test('failing on every attempt: the job fails and the appointment is flagged for review with the error', async () => {
    const start = upcomingWorkday('11:00', 3);
    h.sim.control.queueFaults('create_booking', ['5xx', '5xx', '5xx', '5xx']);
    await sync.submit(request('req-hopeless', start, 2));
    const status = await finished('req-hopeless');
    assert.equal(status.state, 'failed');
    assert.equal(status.attemptsMade, BACKOFFS.length + 1);
    assert.match(status.failedReason ?? '', /calcom_error/);
    assert.equal(status.appointments.length, 1, 'the one intent row, reused by every attempt');
    const [row] = status.appointments;
    assert.equal(row!.status, 'failed');
    assert.equal(row!.syncStatus, 'review');
    assert.equal(row!.syncAttempts, 4);
    assert.match(row!.syncError ?? '', /calcom_error/);
    assert.equal(h.sim.control.stats().requests.create_booking, 4);
    assert.equal(h.sim.control.stats().bookings.total, 0);
    assert.equal(events.filter((e) => e.requestId === 'req-hopeless' && e.type === 'review').length, 1);
  });

  test('between attempts the row says pending with the last error', async () => {
    const start = upcomingWorkday('12:00', 3);
    h.sim.control.queueFaults('create_booking', ['5xx', '5xx', '5xx', '5xx']);
    await sync.submit(request('req-watch', start, 3));
    const between = await waitFor(() => rowsWhere(h, 'group_id = ? AND sync_attempts >= 1', 'sync:req-watch')[0], 'the first attempt to be recorded');
    assert.equal(between.sync_status, 'pending');
    assert.match(between.sync_error ?? '', /calcom_error/);
    assert.equal((await finished('req-watch')).appointments[0]!.syncStatus, 'review');
  });

  test('failing before any intent (Cal.com slots down): nothing is written, the job keeps its failedReason', async () => {
    const start = upcomingWorkday('13:00', 3);
    h.core.availability.invalidate(COMPANY, 'anna'); // no fresh view: the double-check must ask Cal.com
    h.sim.control.setFaults('slots', { rates: { '5xx': 1 } });
    try {
      await sync.submit(request('req-no-intent', start, 4));
      const status = await finished('req-no-intent');
      assert.equal(status.state, 'failed');
      assert.equal(status.attemptsMade, 4, 'each attempt ran again (the actor released the id)');
      assert.match(status.failedReason ?? '', /500|calcom/i);
      assert.deepEqual(status.appointments, []);
      assert.equal(rowsWhere(h, 'group_id = ?', 'sync:req-no-intent').length, 0);
      assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0);
    } finally {
      h.sim.control.setFaults('slots', {});
    }
  });

  test('a taken slot is final at once: no retries', async () => {
    const start = upcomingWorkday('14:00', 3);
    const voice = await h.core.booking.book('voice-first', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(start), customer: customer(5) }, 15_000);
    assert.equal(voice.status, 'booked');
    await sync.submit(request('req-taken', start, 6));
    const status = await finished('req-taken');
    assert.equal(status.state, 'failed');
    assert.equal(status.attemptsMade, 1);
    assert.match(status.failedReason ?? '', /slot_unavailable: local_conflict/);
    assert.deepEqual(status.appointments, [], 'refused before any intent: nothing to flag');
  });

  test('a slot taken between attempts flags the failed intent for review with the reason', async () => {
    const start = upcomingWorkday('15:00', 3);
    h.sim.control.queueFaults('create_booking', ['5xx']);
    await sync.submit(request('req-taken-later', start, 7));
    await waitFor(() => attemptsOf('req-taken-later').length === 1 && rowsWhere(h, 'group_id = ? AND sync_attempts = 1', 'sync:req-taken-later').length === 1, 'the first attempt');
    h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(start), attendee: { name: 'Walk-in' } });
    const status = await finished('req-taken-later');
    assert.equal(status.state, 'failed');
    assert.equal(status.attemptsMade, 2);
    const [row] = status.appointments;
    assert.equal(row!.status, 'failed');
    assert.equal(row!.syncStatus, 'review');
    assert.match(row!.syncError ?? '', /slot_unavailable: calcom_(unavailable|taken)/);
  });

  test('submitting the same request twice queues one job and books once', async () => {
    const start = upcomingWorkday('16:00', 3);
    const [a, b] = await Promise.all([sync.submit(request('req-dup', start, 8)), sync.submit(request('req-dup', start, 8))]);
    assert.equal(a.syncId, b.syncId);
    const status = await finished('req-dup');
    assert.equal(status.state, 'completed');
    const again = await sync.submit(request('req-dup', start, 8));
    assert.equal(again.syncId, a.syncId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(attemptsOf('req-dup').length, 1, 'one job, one attempt');
    assert.equal((await sync.status('req-dup'))!.state, 'completed');
    assert.equal(h.sim.control.stats().requests.create_booking, 1);
    assert.equal(rowsWhere(h, 'group_id = ?', 'sync:req-dup').length, 1);
  });

  test('our own Cal.com webhook for a synced booking does not echo back as a second appointment', async () => {
    const start = upcomingWorkday('10:00', 8);
    await sync.submit(request('req-echo', start, 9));
    const status = await finished('req-echo');
    assert.equal(status.state, 'completed');
    const [booking] = h.sim.control.bookings();
    const event = {
      event: 'created' as const,
      uid: booking!.uid as string,
      eventTypeId: booking!.eventTypeId as number,
      startUtc: Date.parse(booking!.start as string),
      endUtc: Date.parse(booking!.end as string),
      metadata: booking!.metadata as Record<string, string>,
      attendee: { name: customer(9).name },
    };
    const reply = await h.core.runtime.ask<ReconcileReply>(slotKeyAt(COMPANY, 'anna', start, ZONE), { id: 'echo-webhook', type: 'reconcile', payload: event });
    assert.ok(reply.ok);
    assert.equal(reply.value.action, 'unchanged');
    const rows = rowsWhere(h, 'start_utc = ?', start);
    assert.equal(rows.length, 1, 'no duplicate row');
    assert.equal(rows[0]!.origin, 'api');
    assert.equal(rows[0]!.sync_status, 'synced');
  });

  test('a composite service syncs both segments', async () => {
    const start = upcomingWorkday('09:00', 10);
    await sync.submit({ ...request('req-composite', start, 10, 'faerben-schneiden'), origin: 'admin' });
    const status = await finished('req-composite');
    assert.equal(status.state, 'completed', status.failedReason);
    assert.deepEqual(status.appointments.map((a) => [a.status, a.syncStatus, a.origin]), [
      ['booked', 'synced', 'admin'],
      ['booked', 'synced', 'admin'],
    ]);
    assert.equal(status.result!.calcomUids.length, 2);
  });

  test('bad input and unknown services are refused at submit; unknown requests have no status', async () => {
    await assert.rejects(sync.submit({ ...request('req-bad', upcomingWorkday('10:00', 12), 11), customer: { name: 'X', email: 'not-an-email' } }), (error: unknown) => {
      assert.ok(error instanceof SyncRejectedError);
      assert.equal(error.code, 'invalid_input');
      assert.match(error.message, /email/);
      return true;
    });
    await assert.rejects(sync.submit({ ...request('req-unknown', upcomingWorkday('10:00', 12), 12), serviceId: 'dauerwelle' }), (error: unknown) => {
      assert.ok(error instanceof SyncRejectedError);
      assert.equal(error.code, 'unknown_service');
      return true;
    });
    assert.equal(await sync.status('req-bad'), undefined);
    assert.equal(await sync.status('never-submitted'), undefined);
  });

  test('a booking made while the worker was away is synced once a worker runs', async () => {
    const prefix = uniquePrefix('sync-later');
    const options = { redis: h.redis.endpoint, prefix, booking: h.core.booking, store: h.core.store, catalog: h.core.catalog, logger: testLogger, backoffsMs: BACKOFFS };
    const producer = await AppointmentSync.start({ ...options, consume: false });
    const start = upcomingWorkday('11:00', 14);
    let status: SyncStatus | undefined;
    try {
      await producer.submit(request('req-later', start, 13));
      await new Promise((resolve) => setTimeout(resolve, 150));
      status = await producer.status('req-later');
      assert.equal(status!.state, 'waiting');
      assert.deepEqual(status!.appointments, []);
      const consumer = await AppointmentSync.start(options);
      try {
        status = await waitFor(async () => {
          const s = await producer.status('req-later');
          return s?.state === 'completed' ? s : undefined;
        }, 'the consumer to sync it');
      } finally {
        await consumer.close();
      }
    } finally {
      await producer.close();
    }
    assert.equal(status!.appointments[0]!.syncStatus, 'synced');
  });
});
