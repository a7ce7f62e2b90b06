import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CalcomClient } from '../../src/calcom/index.ts';
import { MaintenanceScheduler } from '../../src/maintenance/scheduler.ts';
import { OrphanSweeper, type OrphanSweeperDeps } from '../../src/maintenance/orphan-sweeper.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { COMPANY, customer, iso, rowsWhere, simBooking, startCoreHarness, upcomingWorkday, waitFor, type CoreHarness } from '../helpers/core.ts';
import { testLogger } from '../helpers/logger.ts';
import { uniquePrefix } from '../helpers/redis.ts';

describe('orphan sweeper: backoff, escalation, settling dead intents', () => {
  let h: CoreHarness;
  /** A second connection to the same SQLite file whose clock the test moves. */
  let store: Store;
  let clock: number;
  /** One attempt per call, so each sweep makes exactly one cancel request. */
  let calcom: CalcomClient;

  before(async () => {
    h = await startCoreHarness();
    clock = Date.now();
    store = await openStore(h.db.name, () => clock);
    calcom = new CalcomClient({ baseUrl: h.sim.url, apiKey: 'cal_test_key', retries: { maxAttempts: 1 }, timeouts: { default: 2000 } });
  });
  after(async () => {
    await store.close();
    await calcom.close();
    await h.close();
  });
  beforeEach(() => h.sim.control.reset());

  const sweeperWith = (more: Partial<OrphanSweeperDeps> = {}) =>
    new OrphanSweeper({ store, calcom, catalog: h.core.catalog, slot: h.core.slot, logger: testLogger, ...more });
  const cancelRequests = () => h.sim.control.stats().requests.cancel_booking ?? 0;

  test('while Cal.com refuses the cancel, attempts grow and the next attempt moves out exponentially; then it escalates once', async () => {
    const booking = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(upcomingWorkday('10:00', 3)), metadata: { commandId: 'orphan-backoff' } });
    const uid = booking.uid as string;
    await store.orphans.record(uid, COMPANY, 'orphan-backoff', 'local save failed', 'disk full');
    h.sim.control.setFaults('cancel_booking', { rates: { '5xx': 1 } });
    const observed: string[] = [];
    const sweeper = sweeperWith({ baseDelayMs: 1000, maxDelayMs: 5000, maxAttempts: 4, observe: (r) => observed.push(r) });
    const orphan = async () => (await store.orphans.open()).find((o) => o.calcomUid === uid)!;

    const expectedDelays = [1000, 2000, 4000, 5000, 5000]; // base·2^n, capped at maxDelayMs
    for (const [n, delay] of expectedDelays.entries()) {
      const report = await sweeper.sweepOnce();
      assert.equal(report.retryLater, 1, `sweep ${n + 1} retried`);
      assert.equal(report.cancelled, 0);
      assert.equal(report.escalated, n === 3 ? 1 : 0, `escalated exactly at attempt 4 (sweep ${n + 1})`);
      assert.equal(cancelRequests(), n + 1, 'one cancel request per due sweep');
      const row = (await orphan());
      assert.equal(row.attempts, n + 1);
      assert.equal(row.nextAttemptAt - clock, delay, `delay after attempt ${n + 1}`);
      assert.equal(row.escalated, n >= 3 ? 1 : 0);
      assert.match(row.lastError ?? '', /500/);

      // Not due yet: a sweep a millisecond early leaves it alone.
      clock = row.nextAttemptAt - 1;
      assert.deepEqual(await sweeper.sweepOnce(), { cancelled: 0, retryLater: 0, escalated: 0, settling: 0 });
      assert.equal(cancelRequests(), n + 1, 'no request before the next attempt is due');
      clock = row.nextAttemptAt;
    }
    assert.deepEqual(observed, ['escalated'], 'escalated once, not on every later failure');
    assert.equal(simBooking(h, uid)!.status, 'accepted');

    h.sim.control.setFaults('cancel_booking', {});
    const report = await sweeper.sweepOnce();
    assert.equal(report.cancelled, 1);
    assert.equal(simBooking(h, uid)!.status, 'cancelled');
    assert.equal((await store.orphans.openCount()), 0);
    assert.deepEqual(observed, ['escalated', 'swept']);
  });

  test('an orphan Cal.com no longer knows (404) is resolved, not retried forever', async () => {
    await store.orphans.record('no-such-booking', COMPANY, 'orphan-404', 'local save failed', null);
    const report = await sweeperWith().sweepOnce();
    assert.equal(report.cancelled, 1);
    assert.equal((await store.orphans.openCount()), 0);
  });

  test('intents left pending by dead commands are handed to their slot actor and settled from Cal.com', async () => {
    const withBooking = upcomingWorkday('14:00', 3);
    const withoutBooking = upcomingWorkday('15:00', 3);
    const pending = (commandId: string, startUtc: number) =>
      h.core.store.appointments.insert({
        companyId: COMPANY, serviceId: 'herrenhaarschnitt', calendarKey: 'anna', eventTypeId: 1001,
        startUtc, endUtc: startUtc + 30 * 60_000, status: 'pending', origin: 'voice', commandId, groupId: commandId,
      });
    const a = await pending('dead-with-booking', withBooking);
    const b = await pending('dead-without-booking', withoutBooking);
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(withBooking), metadata: { commandId: 'dead-with-booking' } });

    // Young intents are left alone (their command may still be running)...
    assert.equal((await sweeperWith({ stalePendingMs: 60_000 }).sweepOnce()).settling, 0);
    // ...stale ones are settled by their actor.
    clock += 61_000;
    const report = await sweeperWith({ stalePendingMs: 60_000 }).sweepOnce();
    assert.equal(report.settling, 2);
    await waitFor(() => rowsWhere(h, 'id IN (?, ?) AND status != ?', a.id, b.id, 'pending').length === 2, 'both intents settled');
    const [rowA, rowB] = rowsWhere(h, 'id IN (?, ?)', a.id, b.id);
    assert.equal(rowA!.status, 'booked');
    assert.equal(rowA!.calcom_uid, made.uid);
    assert.equal(rowB!.status, 'failed');
    assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0, 'settling never books');
  });

  test('an old-looking intent whose command still runs is left to that command, which books it', async () => {
    const at = upcomingWorkday('17:00', 3);
    h.sim.control.setLatency('create_booking', { kind: 'fixed', ms: 1500 });
    try {
      const booking = h.core.booking.book('still-running', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(at), customer: customer(31) }, 15_000);
      await waitFor(() => rowsWhere(h, 'command_id = ? AND status = ?', 'still-running', 'pending').length === 1, 'the intent');
      clock += 121_000; // stale by the clock, while its Cal.com create is still on the way
      assert.equal((await sweeperWith({ stalePendingMs: 120_000 }).sweepOnce()).settling, 0, 'a running command settles its own intent');
      const reply = await booking;
      assert.equal(reply.status, 'booked', JSON.stringify(reply));
      const [row] = rowsWhere(h, 'command_id = ?', 'still-running');
      assert.equal(row!.status, 'booked');
      assert.equal(simBooking(h, row!.calcom_uid!)?.status, 'accepted');
      assert.equal((await sweeperWith({ stalePendingMs: 120_000 }).sweepOnce()).settling, 0, 'nothing left to settle');
    } finally {
      h.sim.control.setLatency('create_booking', { kind: 'none' });
    }
  });

  test('settling that fails because Cal.com is down is tried again by the next sweep', async () => {
    const at = upcomingWorkday('16:00', 3);
    const row = (await h.core.store.appointments.insert({
      companyId: COMPANY, serviceId: 'herrenhaarschnitt', calendarKey: 'anna', eventTypeId: 1001,
      startUtc: at, endUtc: at + 30 * 60_000, status: 'pending', origin: 'voice', commandId: 'dead-during-outage', groupId: 'dead-during-outage',
    }));
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(at), metadata: { commandId: 'dead-during-outage' } });
    h.sim.control.setFaults('list_bookings', { rates: { '5xx': 1 } });
    clock += 121_000;
    const sweeper = sweeperWith({ stalePendingMs: 120_000 });
    assert.equal((await sweeper.sweepOnce()).settling, 1);
    await waitFor(() => (h.sim.control.stats().responses.list_bookings?.['500'] ?? 0) >= 3, 'the settle lookup to fail');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(rowsWhere(h, 'id = ?', row.id)[0]!.status, 'pending', 'unknown stays unknown');

    h.sim.control.setFaults('list_bookings', {});
    await waitFor(async () => {
      await sweeper.sweepOnce();
      return rowsWhere(h, 'id = ?', row.id)[0]!.status !== 'pending';
    }, 'a later sweep to settle it', 5000, 100);
    assert.equal(rowsWhere(h, 'id = ?', row.id)[0]!.status, 'booked');
    assert.equal(rowsWhere(h, 'id = ?', row.id)[0]!.calcom_uid, made.uid);
  });

  test('the maintenance scheduler runs a job repeatedly until closed', async () => {
    let runs = 0;
    const scheduler = await MaintenanceScheduler.start({
      redis: h.redis.endpoint,
      prefix: uniquePrefix('maint'),
      logger: testLogger,
      jobs: { tick: { everyMs: 100, run: async () => ++runs } },
    });
    await waitFor(() => runs >= 3, 'three runs');
    await scheduler.close();
    const atClose = runs;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(runs, atClose, 'no run after close');
  });
});
