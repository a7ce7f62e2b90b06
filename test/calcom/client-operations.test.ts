import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CalcomError, flattenSlots, isSlotTaken } from '../../src/calcom/index.ts';
import type { CalcomSimulator } from '../../src/simulator/index.ts';
import { attendee, nextMonday, startSim, testClient, utc, ZONE } from './helpers.ts';

describe('CalcomClient operations against the simulator', () => {
  let sim: CalcomSimulator;
  let t: ReturnType<typeof testClient>;

  before(async () => {
    sim = await startSim();
    t = testClient(sim);
  });
  after(async () => {
    await t.client.close();
    await sim.close();
  });
  beforeEach(() => {
    sim.control.reset();
    t.observations.length = 0;
  });

  it('lists slots keyed by local date, rendered in the requested zone', async () => {
    const day = nextMonday();
    const slots = await t.client.getSlots({ eventTypeId: 12, start: utc(day), end: utc(day.endOf('day')), timeZone: ZONE });
    const list = slots[day.toISODate() as string];
    assert.ok(list, 'slots for the Monday');
    assert.equal(list.length, 18); // 09:00–18:00 every 30 min
    assert.equal(list[0]?.start, day.set({ hour: 9 }).toISO());
    assert.deepEqual(t.observations.map((o) => [o.operation, o.status]), [['slots', '200']]);
  });

  it('creates, gets, lists, cancels a booking with v2 payloads', async () => {
    const start = nextMonday(10);
    const booking = await t.client.createBooking({
      start: start.toJSDate(),
      eventTypeId: 11,
      attendee: attendee(),
      metadata: { commandId: 'cmd-1', callId: 'call-1' },
    });
    assert.equal(booking.status, 'accepted');
    assert.equal(booking.start, utc(start));
    assert.equal(booking.metadata.commandId, 'cmd-1');
    assert.equal(booking.attendees[0]?.phoneNumber, '+491701234567');

    const fetched = await t.client.getBooking(booking.uid);
    assert.equal(fetched.id, booking.id);

    const page = await t.client.listBookings({ eventTypeId: 11, afterStart: utc(start.minus({ hours: 1 })), beforeEnd: utc(start.plus({ hours: 2 })) });
    assert.deepEqual(page.bookings.map((b) => b.uid), [booking.uid]);
    assert.equal(page.pagination?.totalItems, 1);

    const found = await t.client.findBookingByMetadata({ eventTypeId: 11, start: utc(start), value: 'cmd-1' });
    assert.equal(found?.uid, booking.uid);

    const cancelled = await t.client.cancelBooking(booking.uid, { cancellationReason: 'Kunde hat abgesagt' });
    assert.equal(cancelled.status, 'cancelled');
    // A second cancel (e.g. a retried saga step) converges instead of failing.
    const again = await t.client.cancelBooking(booking.uid);
    assert.equal(again.status, 'cancelled');

    assert.deepEqual(
      t.observations.map((o) => `${o.operation}:${o.status}`),
      ['create_booking:201', 'get_booking:200', 'list_bookings:200', 'list_bookings:200', 'cancel_booking:200', 'cancel_booking:400', 'get_booking:200'],
    );
    for (const o of t.observations) assert.ok(o.durationSeconds >= 0 && o.durationSeconds < 5);
  });

  it('pages through listAllBookings', async () => {
    const day = nextMonday();
    for (let h = 9; h < 14; h++) sim.control.createExternalBooking({ eventTypeId: 12, start: utc(day.set({ hour: h })) });
    const all = await t.client.listAllBookings({ eventTypeId: 12, take: 2 });
    assert.equal(all.length, 5);
    assert.equal(t.observations.filter((o) => o.operation === 'list_bookings').length, 3);
  });

  it('reschedules into a new booking and cancels the old one', async () => {
    const first = await t.client.createBooking({ start: utc(nextMonday(9)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c-r' } });
    const moved = await t.client.rescheduleBooking(first.uid, { start: utc(nextMonday(15)), reschedulingReason: 'Kunde möchte später' });
    assert.notEqual(moved.uid, first.uid);
    assert.equal(moved.rescheduledFromUid, first.uid);
    assert.equal(moved.start, utc(nextMonday(15)));
    assert.equal(moved.metadata.commandId, 'c-r');
    assert.equal((await t.client.getBooking(first.uid)).status, 'cancelled');
  });

  it('reserves and releases a slot; a reserved slot is not offered and not reservable twice', async () => {
    const start = nextMonday(11);
    const r = await t.client.reserveSlot({ eventTypeId: 12, slotStart: utc(start), reservationDuration: 10 });
    assert.equal(r.slotStart, utc(start));
    assert.equal(r.reservationDuration, 10);

    const slots = flattenSlots(await t.client.getSlots({ eventTypeId: 12, start: utc(start.startOf('day')), end: utc(start.endOf('day')) }));
    assert.ok(!slots.some((s) => Date.parse(s.start) === start.toMillis()), 'reserved slot hidden');

    await assert.rejects(t.client.reserveSlot({ eventTypeId: 12, slotStart: utc(start) }), (err: CalcomError) => {
      assert.equal(err.status, 422);
      assert.ok(isSlotTaken(err));
      return true;
    });
    // Someone else's reservation blocks a booking that comes with another reservation (409) …
    await assert.rejects(
      t.client.createBooking({ start: utc(start), eventTypeId: 12, attendee: attendee(), reservedSlotUid: 'not-first-in-line' }),
      (err: CalcomError) => err.status === 409 && isSlotTaken(err),
    );
    // … the holder may book with it …
    const booked = await t.client.createBooking({ start: utc(start), eventTypeId: 12, attendee: attendee(), reservedSlotUid: r.reservationUid });
    assert.equal(booked.status, 'accepted');
    // … and a create without any reservation is not checked against reservations at all
    // (handleNewBooking has no such check; see conformance.test.ts).
    const later = start.plus({ hours: 1 });
    await t.client.reserveSlot({ eventTypeId: 12, slotStart: utc(later) });
    const unchecked = await t.client.createBooking({ start: utc(later), eventTypeId: 12, attendee: attendee('Max') });
    assert.equal(unchecked.status, 'accepted');

    const r2 = await t.client.reserveSlot({ eventTypeId: 12, slotStart: utc(start.plus({ hours: 2 })) });
    await t.client.releaseReservation(r2.reservationUid);
    await t.client.releaseReservation(r2.reservationUid); // already gone counts as released
  });

  // The simulator answers only the exact cal-api-version per route, so every success in
  // this file also proves the headers; here the key.
  it('sends the API key as a Bearer token; a wrong key is refused with 401', async () => {
    const wrongKey = testClient(sim, { apiKey: 'cal_wrong' });
    try {
      await assert.rejects(wrongKey.client.listBookings({}), (err: CalcomError) => err.status === 401);
    } finally {
      await wrongKey.client.close();
    }
    assert.equal(sim.control.stats().requests.list_bookings, 1);
  });

  it('refuses invalid input locally, before any request', async () => {
    await assert.rejects(
      t.client.createBooking({ start: '2030-01-01T10:00:00', eventTypeId: 12, attendee: attendee() }),
      (err: CalcomError) => err.kind === 'invalid_request' && /offset/.test(err.message),
    );
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: { ...attendee(), phoneNumber: '0170 123' } }),
      (err: CalcomError) => err.kind === 'invalid_request' && /phoneNumber/.test(err.message),
    );
    await assert.rejects(
      t.client.createBooking({
        start: utc(nextMonday(10)),
        eventTypeId: 12,
        attendee: attendee(),
        metadata: { nested: { a: 1 } } as unknown as Record<string, string>,
      }),
      (err: CalcomError) => err.kind === 'invalid_request',
    );
    assert.equal(t.observations.length, 0);
    assert.equal(sim.control.stats().requests.create_booking, undefined);
  });
});
