import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { slotKeyAt } from '../../src/actors/slot-key.ts';
import { OrphanSweeper } from '../../src/maintenance/orphan-sweeper.ts';
import { COMPANY, counterValue, customer, dropTrigger, iso, rowsWhere, simBooking, startCoreHarness, upcomingWorkday, waitForRelease, ZONE, type CoreHarness } from '../helpers/core.ts';
import { testLogger } from '../helpers/logger.ts';

/** Saving the appointment fails like a full disk would: a real SQLite trigger on the real file. */
const FAIL_SAVE = `CREATE TRIGGER fail_save BEFORE UPDATE OF status ON appointments WHEN NEW.status = 'booked'
  BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END;`;

describe('book saga: a failed save is compensated in Cal.com, a failed compensation becomes an orphan', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness();
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());
  afterEach(() => dropTrigger(h, 'fail_save'));

  const bookOf = (commandId: string, startUtc: number, n: number) =>
    h.core.booking.book(commandId, { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(startUtc), customer: customer(n) }, 15_000);
  const compensations = (result: string) => counterValue(h.core.metrics.sagaCompensations, { result });

  test('save fails → the Cal.com booking is cancelled, the rows fail, the reply is save_failed; the same id books later', async () => {
    const start = upcomingWorkday('10:00', 3);
    const cancelledBefore = await compensations('cancelled');
    const orphanedBefore = await compensations('orphaned');
    h.db.exec(FAIL_SAVE);

    const reply = await bookOf('saga-save-fails', start, 1);
    assert.equal(reply.status, 'error');
    assert.equal(reply.status === 'error' && reply.code, 'save_failed');

    const made = h.sim.control.bookings();
    assert.equal(made.length, 1, 'Cal.com was asked once');
    assert.equal(made[0]!.status, 'cancelled', 'and the booking was cancelled again');
    assert.equal(made[0]!.metadata && (made[0]!.metadata as Record<string, string>).commandId, 'saga-save-fails');
    const rows = rowsWhere(h, 'command_id = ?', 'saga-save-fails');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'failed');
    assert.equal(rows[0]!.calcom_uid, null, 'the uid was not saved either');
    assert.equal(await compensations('cancelled'), cancelledBefore + 1);
    assert.equal(await compensations('orphaned'), orphanedBefore);
    assert.equal((await h.core.store.orphans.openCount()), 0);

    // The error released the command id: once the disk is fine, the same id books (once).
    dropTrigger(h, 'fail_save');
    await waitForRelease(h, slotKeyAt(COMPANY, 'anna', start, ZONE), 'saga-save-fails');
    const again = await bookOf('saga-save-fails', start, 1);
    assert.equal(again.status, 'booked', JSON.stringify(again));
    assert.equal(again.status === 'booked' && again.appointment.appointmentId, rows[0]!.id, 'the intent row is reused');
    assert.equal(h.sim.control.stats().bookings.active, 1);
    assert.equal(h.sim.control.stats().requests.create_booking, 2);
    assert.equal(rowsWhere(h, 'command_id = ?', 'saga-save-fails')[0]!.status, 'booked');
  });

  test('save and cancel both fail → an orphan is recorded; the sweeper cancels it once Cal.com works again', async () => {
    const start = upcomingWorkday('11:00', 3);
    const cancelledBefore = await compensations('cancelled');
    const orphanedBefore = await compensations('orphaned');
    h.db.exec(FAIL_SAVE);
    h.sim.control.setFaults('cancel_booking', { rates: { '5xx': 1 } });

    const reply = await bookOf('saga-orphan', start, 2);
    assert.equal(reply.status === 'error' && reply.code, 'save_failed');
    const [booking] = h.sim.control.bookings();
    assert.equal(booking!.status, 'accepted', 'Cal.com still holds the booking');
    assert.ok((h.sim.control.stats().requests.cancel_booking ?? 0) >= 1, 'a cancel was tried');

    const orphans = (await h.core.store.orphans.open());
    assert.equal(orphans.length, 1);
    assert.equal(orphans[0]!.calcomUid, booking!.uid);
    assert.equal(orphans[0]!.companyId, COMPANY);
    assert.equal(orphans[0]!.commandId, 'saga-orphan');
    assert.equal(orphans[0]!.attempts, 0);
    assert.match(orphans[0]!.lastError ?? '', /500|server/i);
    assert.equal((await h.core.store.orphans.openCount()), 1);
    assert.equal(await compensations('orphaned'), orphanedBefore + 1);
    assert.equal(await compensations('cancelled'), cancelledBefore);
    assert.equal(rowsWhere(h, 'command_id = ?', 'saga-orphan')[0]!.status, 'failed');

    // Cal.com recovers; the sweeper finishes the compensation.
    h.sim.control.setFaults('cancel_booking', {});
    dropTrigger(h, 'fail_save');
    const observed: string[] = [];
    const counts: number[] = [];
    const sweeper = new OrphanSweeper({
      store: h.core.store,
      calcom: h.core.calcom,
      catalog: h.core.catalog,
      slot: h.core.slot,
      logger: testLogger,
      observe: (result) => observed.push(result),
      onOpenCount: (n) => counts.push(n),
    });
    const report = await sweeper.sweepOnce();
    assert.deepEqual(report, { cancelled: 1, retryLater: 0, escalated: 0, settling: 0 });
    assert.equal(simBooking(h, booking!.uid as string)!.status, 'cancelled');
    assert.equal((await h.core.store.orphans.openCount()), 0);
    assert.deepEqual((await h.core.store.orphans.open()), []);
    assert.deepEqual(observed, ['swept']);
    assert.deepEqual(counts, [0]);

    // Nothing left to do: a second sweep changes nothing and sends nothing.
    const cancelsSoFar = h.sim.control.stats().requests.cancel_booking;
    assert.deepEqual(await sweeper.sweepOnce(), { cancelled: 0, retryLater: 0, escalated: 0, settling: 0 });
    assert.equal(h.sim.control.stats().requests.cancel_booking, cancelsSoFar);
  });

  test('Cal.com failing the double-check → error, nothing written or booked, and the same id may try again', async () => {
    const start = upcomingWorkday('15:00', 3);
    h.core.availability.invalidate(COMPANY, 'anna'); // no fresh view: the double-check must ask Cal.com
    h.sim.control.setFaults('slots', { rates: { '5xx': 1 } });
    const reply = await bookOf('double-check-fails', start, 4);
    assert.equal(reply.status, 'error', JSON.stringify(reply));
    assert.equal(rowsWhere(h, 'group_id = ?', 'double-check-fails').length, 0, 'no intent before Cal.com was asked');
    assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0);

    h.sim.control.setFaults('slots', {});
    await waitForRelease(h, slotKeyAt(COMPANY, 'anna', start, ZONE), 'double-check-fails');
    const again = await bookOf('double-check-fails', start, 4);
    assert.equal(again.status, 'booked', JSON.stringify(again));
    assert.equal(h.sim.control.stats().bookings.active, 1);
  });

  test('a composite booking whose save fails cancels every segment', async () => {
    const start = upcomingWorkday('09:00', 6);
    const cancelledBefore = await compensations('cancelled');
    h.db.exec(FAIL_SAVE);
    const reply = await h.core.booking.book('saga-composite', { companyId: COMPANY, serviceId: 'faerben-schneiden', start: iso(start), customer: customer(3) }, 15_000);
    assert.equal(reply.status === 'error' && reply.code, 'save_failed');
    const stats = h.sim.control.stats();
    assert.equal(stats.bookings.total, 2);
    assert.equal(stats.bookings.active, 0);
    assert.equal(await compensations('cancelled'), cancelledBefore + 2);
    assert.deepEqual(rowsWhere(h, 'group_id = ?', 'saga-composite').map((r) => r.status), ['failed', 'failed']);
  });
});
