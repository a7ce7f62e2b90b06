import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { COMPANY, customer, iso, nextWorkday, rowsWhere, simBooking, startCoreHarness, upcomingWorkday, waitFor, type CoreHarness } from '../helpers/core.ts';

describe('reschedule: moving appointments within a day, across days, and composites', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness();
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());

  async function booked(commandId: string, serviceId: string, startUtc: number, n: number) {
    const reply = await h.core.booking.book(commandId, { companyId: COMPANY, serviceId, start: iso(startUtc), customer: customer(n) }, 15_000);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    return reply.status === 'booked' ? reply.appointment : assert.fail();
  }
  const move = (commandId: string, appointmentId: number, startUtc: number) =>
    h.core.booking.reschedule(commandId, { companyId: COMPANY, appointmentId, start: iso(startUtc) }, 15_000);
  const row = (id: number) => rowsWhere(h, 'id = ?', id)[0]!;

  test('single booking, same day: moved with Cal.com’s reschedule; the old row is cancelled at once', async () => {
    const ten = upcomingWorkday('10:00', 3);
    const two = upcomingWorkday('14:00', 3);
    const old = await booked('move-same-day', 'herrenhaarschnitt', ten, 1);
    const reply = await move('move-same-day:r', old.appointmentId, two);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const moved = reply.status === 'booked' ? reply.appointment : assert.fail();
    assert.notEqual(moved.appointmentId, old.appointmentId);
    assert.equal(moved.start, iso(two));
    assert.equal(moved.end, iso(two + 30 * 60_000));

    assert.equal(row(old.appointmentId).status, 'cancelled');
    assert.equal(row(moved.appointmentId).status, 'booked');
    assert.equal(row(moved.appointmentId).calcom_uid, moved.calcomUids[0]);
    const oldBooking = simBooking(h, old.calcomUids[0]!)!;
    const newBooking = simBooking(h, moved.calcomUids[0]!)!;
    assert.equal(oldBooking.status, 'cancelled');
    assert.equal(oldBooking.rescheduledToUid, newBooking.uid);
    assert.equal(newBooking.rescheduledFromUid, oldBooking.uid);
    assert.equal(Date.parse(newBooking.start as string), two);
    const stats = h.sim.control.stats();
    assert.equal(stats.requests.reschedule_booking, 1);
    assert.equal(stats.requests.create_booking, 1, 'no second create');
    assert.equal(stats.bookings.active, 1);

    // Repeating the command does not move it again.
    assert.deepEqual(await move('move-same-day:r', old.appointmentId, two), reply);
    assert.equal(h.sim.control.stats().requests.reschedule_booking, 1);
  });

  test('a 60-minute appointment moved 10:00 → 10:30 may overlap its own old time', async () => {
    const ten = upcomingWorkday('10:00', 5);
    const old = await booked('move-overlap', 'damenhaarschnitt', ten, 2);
    const reply = await move('move-overlap:r', old.appointmentId, ten + 30 * 60_000);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const moved = reply.status === 'booked' ? reply.appointment : assert.fail();
    assert.equal(row(old.appointmentId).status, 'cancelled');
    assert.equal(row(moved.appointmentId).status, 'booked');
    assert.equal(row(moved.appointmentId).end_utc - row(moved.appointmentId).start_utc, 60 * 60_000);
    const stats = h.sim.control.stats();
    assert.equal(stats.bookings.active, 1);
    assert.equal(stats.overlappingActiveBookings, 0);
    assert.equal(stats.activeBookingsBySlot[`1002@${iso(ten + 30 * 60_000)}`], 1);
  });

  test('across days: the new day’s actor books, the old day’s actor retires the old row', async () => {
    const from = upcomingWorkday('11:00', 8);
    const to = nextWorkday(from);
    const old = await booked('move-days', 'herrenhaarschnitt', from, 3);
    const reply = await move('move-days:r', old.appointmentId, to);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const moved = reply.status === 'booked' ? reply.appointment : assert.fail();
    assert.equal(row(moved.appointmentId).status, 'booked');
    assert.equal(row(moved.appointmentId).start_utc, to);
    assert.equal(simBooking(h, old.calcomUids[0]!)!.status, 'cancelled', 'Cal.com moved it in one step');
    // rescheduleOut is told, not awaited: poll until it ran.
    await waitFor(() => row(old.appointmentId).status === 'cancelled', 'the old day’s actor to retire the old row');
    assert.equal(h.sim.control.stats().bookings.active, 1);
    // The old time is free again, locally too.
    await booked('after-move-days', 'herrenhaarschnitt', from, 4);
  });

  test('composite across days: booked anew, then the old one cancelled', async () => {
    const from = upcomingWorkday('09:00', 11);
    const to = nextWorkday(from);
    const old = await booked('move-composite', 'faerben-schneiden', from, 5);
    const reply = await move('move-composite:r', old.appointmentId, to);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const moved = reply.status === 'booked' ? reply.appointment : assert.fail();
    assert.equal(moved.calcomUids.length, 2);
    assert.deepEqual(rowsWhere(h, 'group_id = ?', 'move-composite').map((r) => r.status), ['cancelled', 'cancelled']);
    const newRows = rowsWhere(h, 'group_id = ?', 'move-composite:r:in');
    assert.deepEqual(newRows.map((r) => [r.status, r.start_utc]), [
      ['booked', to],
      ['booked', to + 120 * 60_000],
    ]);
    const active = h.sim.control.bookings().filter((b) => b.status !== 'cancelled');
    assert.deepEqual(active.map((b) => Date.parse(b.start as string)).sort(), [to, to + 120 * 60_000]);
    assert.equal(h.sim.control.stats().bookings.total, 4);
  });

  test('target taken in Cal.com → slot_unavailable with alternatives; the old appointment is untouched', async () => {
    const three = upcomingWorkday('15:00', 15);
    const four = upcomingWorkday('16:00', 15);
    const old = await booked('move-taken', 'herrenhaarschnitt', three, 6);
    h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(four), attendee: { name: 'Walk-in' } });
    const reply = await move('move-taken:r', old.appointmentId, four);
    assert.equal(reply.status, 'slot_unavailable', JSON.stringify(reply));
    assert.equal(reply.status === 'slot_unavailable' && reply.reason, 'calcom_unavailable');
    const alternatives = reply.status === 'slot_unavailable' ? reply.alternatives ?? [] : [];
    assert.ok(alternatives.length > 0, 'alternatives offered');
    assert.ok(!alternatives.includes(four) && !alternatives.includes(three), 'neither the taken slot nor the own one');
    assert.equal(row(old.appointmentId).status, 'booked');
    assert.equal(simBooking(h, old.calcomUids[0]!)!.status, 'accepted');
    assert.equal(h.sim.control.stats().requests.reschedule_booking ?? 0, 0);
    assert.equal(rowsWhere(h, 'command_id = ?', 'move-taken:r').length, 0, 'no intent left behind');
  });

  test('target taken locally → slot_unavailable (local_conflict); nothing is asked of Cal.com', async () => {
    const nine = upcomingWorkday('09:00', 18);
    const eleven = upcomingWorkday('11:00', 18);
    const old = await booked('move-local-a', 'herrenhaarschnitt', nine, 7);
    await booked('move-local-b', 'damenhaarschnitt', eleven, 8);
    const reply = await move('move-local-a:r', old.appointmentId, eleven + 30 * 60_000);
    assert.equal(reply.status === 'slot_unavailable' && reply.reason, 'local_conflict');
    assert.equal(row(old.appointmentId).status, 'booked');
    assert.equal(h.sim.control.stats().requests.reschedule_booking ?? 0, 0);
    assert.equal(rowsWhere(h, 'command_id = ?', 'move-local-a:r').length, 0, 'no intent left behind');
  });

  test('moving a cancelled appointment is refused', async () => {
    const start = upcomingWorkday('13:00', 18);
    const old = await booked('move-cancelled', 'herrenhaarschnitt', start, 9);
    assert.equal((await h.core.booking.cancel('move-cancelled:c', { companyId: COMPANY, appointmentId: old.appointmentId }, undefined, 15_000)).status, 'cancelled');
    const reply = await move('move-cancelled:r', old.appointmentId, start + 3600_000);
    assert.equal(reply.status === 'rejected' && reply.code, 'not_reschedulable');
    assert.equal(h.sim.control.stats().requests.reschedule_booking ?? 0, 0);
  });
});
