import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { COMPANY, customer, iso, startCoreHarness, upcomingWorkday, type CoreHarness } from '../helpers/core.ts';

describe('book: the slot actor against the Cal.com simulator', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness();
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());

  const bookOf = (commandId: string, serviceId: string, startUtc: number, n: number) =>
    h.core.booking.book(commandId, { companyId: COMPANY, serviceId, start: iso(startUtc), customer: customer(n) }, 15_000);

  const liveAppointments = (startUtc: number) =>
    h.db.prepare("SELECT * FROM appointments WHERE start_utc = ? AND status = 'booked'").all(startUtc);

  test('50 concurrent bookings of one slot: exactly one booking, 49 get alternatives', async () => {
    const start = upcomingWorkday('10:00', 3);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => bookOf(`race-${i}`, 'herrenhaarschnitt', start, i)));
    const booked = replies.filter((r) => r.status === 'booked');
    const refused = replies.filter((r) => r.status === 'slot_unavailable');
    assert.equal(booked.length, 1, JSON.stringify(replies.filter((r) => r.status !== 'slot_unavailable')));
    assert.equal(refused.length, 49);
    for (const reply of refused) {
      assert.equal(reply.status === 'slot_unavailable' && reply.code, 'slot_no_longer_available');
      assert.ok(reply.alternatives && reply.alternatives.length > 0, 'alternatives offered');
      assert.ok(!reply.alternatives!.includes(start), 'the taken slot is not offered again');
    }
    assert.equal(h.sim.control.stats().bookings.active, 1);
    assert.equal(liveAppointments(start).length, 1);
  });

  test('a 60-minute booking at 10:00 refuses a 30-minute one at 10:30 on the same calendar', async () => {
    const ten = upcomingWorkday('10:00', 9);
    const first = await bookOf('long-1', 'damenhaarschnitt', ten, 1);
    assert.equal(first.status, 'booked');
    const second = await bookOf('short-1', 'herrenhaarschnitt', ten + 30 * 60_000, 2);
    assert.equal(second.status, 'slot_unavailable');
    assert.equal(second.status === 'slot_unavailable' && second.reason, 'local_conflict');
    assert.equal(h.sim.control.stats().bookings.active, 1);
    assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
  });

  test('available, then booked on the Cal.com page, then book → slot_no_longer_available with alternatives', async () => {
    const start = upcomingWorkday('11:00', 5);
    const entry = h.core.catalog.service(COMPANY, 'herrenhaarschnitt')!;
    const free = await h.core.booking.freeStarts(entry, start - 3600_000, start + 3600_000);
    assert.ok(free.includes(start), 'the slot is offered first');
    h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(start), attendee: { name: 'Walk-in' } });
    const reply = await bookOf('after-external', 'herrenhaarschnitt', start, 3);
    assert.equal(reply.status, 'slot_unavailable');
    assert.ok(reply.status === 'slot_unavailable' && reply.alternatives!.length > 0);
    assert.equal(h.sim.control.stats().bookings.active, 1, 'only the external booking exists');
    assert.equal(liveAppointments(start).length, 0);
  });

  test('the same command id sent three times books once', async () => {
    const start = upcomingWorkday('12:00', 3);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await bookOf('call-77:book_appointment:abc', 'herrenhaarschnitt', start, 7));
    assert.equal(replies[0]!.status, 'booked');
    assert.deepEqual(replies[1], replies[0]);
    assert.deepEqual(replies[2], replies[0]);
    assert.equal(h.sim.control.stats().requests.create_booking, 1);
    assert.equal(liveAppointments(start).length, 1);
  });

  test('Cal.com answering with another start time: refused, and that booking is cancelled', async () => {
    const start = upcomingWorkday('14:00', 3);
    h.sim.control.queueFaults('create_booking', ['shift_start']);
    const reply = await bookOf('shifted', 'herrenhaarschnitt', start, 8);
    assert.equal(reply.status, 'rejected');
    assert.equal(reply.status === 'rejected' && reply.code, 'calcom_mismatch');
    const stats = h.sim.control.stats();
    assert.equal(stats.bookings.total, 1);
    assert.equal(stats.bookings.active, 0, 'the wrong booking was cancelled');
    assert.equal((h.db.prepare("SELECT COUNT(*) n FROM appointments WHERE command_id = 'shifted' AND status = 'failed'").get() as { n: number }).n, 1);
  });

  test('a composite service whose second segment fails leaves no booking behind', async () => {
    const start = upcomingWorkday('09:00', 6);
    h.sim.control.queueFaults('create_booking', ['none', '429', '429', '429', '429', '429']);
    const reply = await h.core.booking.book(
      'composite-fail',
      { companyId: COMPANY, serviceId: 'faerben-schneiden', start: iso(start), customer: customer(9) },
      15_000,
    );
    assert.notEqual(reply.status, 'booked');
    const stats = h.sim.control.stats();
    assert.equal(stats.bookings.total, 1, 'the first segment was booked');
    assert.equal(stats.bookings.active, 0, 'and cancelled again');
    const rows = h.db.prepare("SELECT status FROM appointments WHERE group_id = 'composite-fail'").all() as Array<{ status: string }>;
    assert.deepEqual(rows.map((r) => r.status), ['failed', 'failed']);
  });

  test('a composite service books both segments with the gap between them', async () => {
    const start = upcomingWorkday('09:00', 7);
    const reply = await h.core.booking.book(
      'composite-ok',
      { companyId: COMPANY, serviceId: 'faerben-schneiden', start: iso(start), customer: customer(10) },
      15_000,
    );
    assert.equal(reply.status, 'booked');
    const starts = h.sim.control.bookings().map((b) => b.start as string).sort();
    assert.deepEqual(starts.map((s) => Date.parse(s)), [start, start + 120 * 60_000]);
    assert.equal(reply.status === 'booked' && reply.appointment.end, iso(start + 180 * 60_000));
  });
});
