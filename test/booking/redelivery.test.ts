import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { BookReply } from '../../src/actors/replies.ts';
import { COMPANY, customer, iso, rowsWhere, startCoreHarness, upcomingWorkday, type CoreHarness } from '../helpers/core.ts';

/**
 * A command whose first delivery died mid-flight (process killed) is delivered again with
 * the same id. The first delivery's traces are staged as they would be left: the intent
 * row in SQLite and, if it got that far, the Cal.com booking carrying the command id.
 */
describe('book: a redelivered command converges instead of booking twice', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness();
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());

  const c = customer(42);
  const bookOf = (commandId: string, serviceId: string, startUtc: number) =>
    h.core.booking.book(commandId, { companyId: COMPANY, serviceId, start: iso(startUtc), customer: c }, 15_000);
  /** The intent row(s) a first delivery writes before calling Cal.com (book.ts step 4). */
  function intentOf(commandId: string, startUtc: number, segments: Array<{ eventTypeId: number; offset: number; minutes: number }>, serviceId: string) {
    return Promise.all(segments.map((s, index) =>
      h.core.store.appointments.insert({
        companyId: COMPANY, serviceId, calendarKey: 'anna', eventTypeId: s.eventTypeId,
        startUtc: startUtc + s.offset * 60_000, endUtc: startUtc + (s.offset + s.minutes) * 60_000,
        status: 'pending', origin: 'voice', commandId: segments.length === 1 ? commandId : `${commandId}#${index}`,
        groupId: commandId, segmentIndex: index, customerName: c.name, customerEmail: c.email, customerPhone: c.phone,
      }),
    ));
  }
  const herren = [{ eventTypeId: 1001, offset: 0, minutes: 30 }];

  test('died after Cal.com booked, before saving: the redelivery finds the booking, saves it, creates nothing', async () => {
    const start = upcomingWorkday('10:00', 3);
    const [intent] = await intentOf('crash-after-create', start, herren, 'herrenhaarschnitt');
    const made = h.sim.control.createExternalBooking({
      eventTypeId: 1001, start: iso(start), attendee: { name: c.name, email: c.email },
      metadata: { commandId: 'crash-after-create', companyId: COMPANY, origin: 'voice' },
    });

    const reply = await bookOf('crash-after-create', 'herrenhaarschnitt', start);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const appointment = (reply as Extract<BookReply, { status: 'booked' }>).appointment;
    assert.equal(appointment.appointmentId, intent!.id, 'the intent row is the appointment');
    assert.deepEqual(appointment.calcomUids, [made.uid]);
    const stats = h.sim.control.stats();
    assert.equal(stats.requests.create_booking ?? 0, 0, 'no second create request');
    assert.equal(stats.bookings.total, 1);
    assert.equal(stats.bookings.active, 1);
    const rows = rowsWhere(h, 'group_id = ?', 'crash-after-create');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'booked');
    assert.equal(rows[0]!.calcom_uid, made.uid);

    // And from now on the id answers from its stored result.
    assert.deepEqual(await bookOf('crash-after-create', 'herrenhaarschnitt', start), reply);
    assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0);
  });

  test('died after saving, before replying: the redelivery checks the saved uid and answers booked', async () => {
    const start = upcomingWorkday('11:00', 3);
    const [intent] = await intentOf('crash-after-save', start, herren, 'herrenhaarschnitt');
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(start), metadata: { commandId: 'crash-after-save' } });
    await h.core.store.appointments.markBooked(intent!.id, made.uid as string);

    const reply = await bookOf('crash-after-save', 'herrenhaarschnitt', start);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    assert.deepEqual((reply as Extract<BookReply, { status: 'booked' }>).appointment.calcomUids, [made.uid]);
    assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0);
    assert.equal(h.sim.control.stats().requests.get_booking, 1, 'found by its saved uid');
  });

  test('died after the intent, before Cal.com: the redelivery books exactly once', async () => {
    const start = upcomingWorkday('12:00', 3);
    const [intent] = await intentOf('crash-before-create', start, herren, 'herrenhaarschnitt');
    const reply = await bookOf('crash-before-create', 'herrenhaarschnitt', start);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    assert.equal((reply as Extract<BookReply, { status: 'booked' }>).appointment.appointmentId, intent!.id);
    assert.equal(h.sim.control.stats().requests.create_booking, 1);
    assert.equal(h.sim.control.stats().bookings.active, 1);
    assert.equal(rowsWhere(h, 'group_id = ?', 'crash-before-create').length, 1);
  });

  test('composite, died between its two creates: only the missing segment is booked', async () => {
    const start = upcomingWorkday('09:00', 6);
    const segments = [
      { eventTypeId: 1003, offset: 0, minutes: 90 },
      { eventTypeId: 1002, offset: 120, minutes: 60 },
    ];
    await intentOf('crash-composite', start, segments, 'faerben-schneiden');
    const first = h.sim.control.createExternalBooking({ eventTypeId: 1003, start: iso(start), metadata: { commandId: 'crash-composite#0' } });

    const reply = await bookOf('crash-composite', 'faerben-schneiden', start);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const uids = (reply as Extract<BookReply, { status: 'booked' }>).appointment.calcomUids;
    assert.equal(uids[0], first.uid);
    const stats = h.sim.control.stats();
    assert.equal(stats.requests.create_booking, 1, 'one create, for the second segment');
    assert.equal(stats.bookings.active, 2);
    assert.deepEqual(rowsWhere(h, 'group_id = ?', 'crash-composite').map((r) => [r.status, r.calcom_uid]), [
      ['booked', first.uid],
      ['booked', uids[1]],
    ]);
  });

  test('a booking carrying our command id that Cal.com moved elsewhere is not taken as ours', async () => {
    const start = upcomingWorkday('14:00', 3);
    await intentOf('crash-wrong-time', start, herren, 'herrenhaarschnitt');
    // Someone else's booking at another time happens to carry the id (or ours was moved): not a match.
    h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(start + 3600_000), metadata: { commandId: 'crash-wrong-time' } });
    const reply = await bookOf('crash-wrong-time', 'herrenhaarschnitt', start);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    assert.equal(h.sim.control.stats().requests.create_booking, 1);
    assert.equal(h.sim.control.stats().activeBookingsBySlot[`1001@${iso(start)}`], 1);
  });
});
