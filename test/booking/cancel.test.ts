import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { slotKeyAt } from '../../src/actors/slot-key.ts';
import type { CancelReply } from '../../src/actors/replies.ts';
import {
  COMPANY,
  counterValue,
  OTHER_COMPANY,
  customer,
  iso,
  rowsWhere,
  simBooking,
  startCoreHarness,
  twoCompanyCatalog,
  upcomingWorkday,
  waitForRelease,
  ZONE,
  type CoreHarness,
} from '../helpers/core.ts';

describe('cancel, and tenants kept apart', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness({ catalog: twoCompanyCatalog() });
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());

  async function booked(commandId: string, startUtc: number, n: number, companyId = COMPANY, serviceId = 'herrenhaarschnitt') {
    const reply = await h.core.booking.book(commandId, { companyId, serviceId, start: iso(startUtc), customer: customer(n) }, 15_000);
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    return reply.status === 'booked' ? reply.appointment : assert.fail();
  }
  const cancelOf = (commandId: string, appointmentId: number, companyId = COMPANY) =>
    h.core.booking.cancel(commandId, { companyId, appointmentId }, undefined, 15_000);

  test('booked → cancelled in Cal.com and locally, and the cached week is dropped', async () => {
    const start = upcomingWorkday('10:00', 3);
    const entry = h.core.catalog.service(COMPANY, 'herrenhaarschnitt')!;
    const appointment = await booked('cancel-me', start, 1);
    const dayFrom = start - 2 * 3600_000;
    const dayTo = start + 2 * 3600_000;
    const reads = async () => ({
      hit: await counterValue(h.core.metrics.availabilityCacheRequests, { result: 'hit' }),
      miss: await counterValue(h.core.metrics.availabilityCacheRequests, { result: 'miss' }),
    });
    const before = await reads();
    assert.ok(!(await h.core.booking.freeStarts(entry, dayFrom, dayTo)).includes(start), 'the cache knows the slot is taken');
    assert.ok(!(await h.core.booking.freeStarts(entry, dayFrom, dayTo)).includes(start));
    assert.deepEqual(await reads(), { hit: before.hit + 1, miss: before.miss + 1 }, 'the booking dropped the week: one miss, then a hit (metric)');
    const week = { companyId: COMPANY, calendarKey: 'anna', eventTypeId: 1001, zone: ZONE, at: start };
    assert.ok(h.core.availability.freshView(week, 60_000), 'the week is cached');

    const reply = await cancelOf('cancel-me:cancel', appointment.appointmentId);
    assert.equal(reply.status, 'cancelled', JSON.stringify(reply));
    assert.equal(reply.status === 'cancelled' && reply.appointmentId, appointment.appointmentId);
    assert.deepEqual(reply.status === 'cancelled' && reply.calcomUids, appointment.calcomUids);
    assert.equal(simBooking(h, appointment.calcomUids[0]!)!.status, 'cancelled');
    assert.equal(rowsWhere(h, 'id = ?', appointment.appointmentId)[0]!.status, 'cancelled');
    assert.equal(h.core.availability.freshView(week, 60_000), undefined, 'the cancel dropped the cached week');
    assert.ok((await h.core.booking.freeStarts(entry, dayFrom, dayTo)).includes(start), 'the slot is offered again');
  });

  test('cancelling again → already_cancelled, without asking Cal.com; the same command id repeats its answer', async () => {
    const appointment = await booked('cancel-twice', upcomingWorkday('11:00', 3), 2);
    const first = await cancelOf('cancel-twice:1', appointment.appointmentId);
    assert.equal(first.status, 'cancelled');
    const cancels = h.sim.control.stats().requests.cancel_booking;
    const second = await cancelOf('cancel-twice:2', appointment.appointmentId);
    assert.equal(second.status, 'rejected');
    assert.equal((second as Extract<CancelReply, { status: 'rejected' }>).code, 'already_cancelled');
    assert.deepEqual(await cancelOf('cancel-twice:1', appointment.appointmentId), first);
    assert.equal(h.sim.control.stats().requests.cancel_booking, cancels);
  });

  test('a composite appointment is cancelled as a whole', async () => {
    const appointment = await booked('cancel-composite', upcomingWorkday('09:00', 6), 3, COMPANY, 'faerben-schneiden');
    assert.equal(appointment.calcomUids.length, 2);
    const reply = await cancelOf('cancel-composite:c', appointment.appointmentId);
    assert.equal(reply.status, 'cancelled');
    assert.deepEqual(reply.status === 'cancelled' && reply.calcomUids, appointment.calcomUids);
    assert.equal(h.sim.control.stats().bookings.active, 0);
    assert.deepEqual(rowsWhere(h, 'group_id = ?', 'cancel-composite').map((r) => r.status), ['cancelled', 'cancelled']);
  });

  test('Cal.com failing → error, the appointment stays booked, and the same command id succeeds later', async () => {
    const start = upcomingWorkday('12:00', 3);
    const appointment = await booked('cancel-flaky', start, 4);
    h.sim.control.setFaults('cancel_booking', { rates: { '5xx': 1 } });
    const reply = await cancelOf('cancel-flaky:c', appointment.appointmentId);
    assert.equal(reply.status, 'error');
    assert.equal(rowsWhere(h, 'id = ?', appointment.appointmentId)[0]!.status, 'booked');
    assert.equal(simBooking(h, appointment.calcomUids[0]!)!.status, 'accepted');

    h.sim.control.setFaults('cancel_booking', {});
    await waitForRelease(h, slotKeyAt(COMPANY, 'anna', start, ZONE), 'cancel-flaky:c');
    assert.equal((await cancelOf('cancel-flaky:c', appointment.appointmentId)).status, 'cancelled');
    assert.equal(simBooking(h, appointment.calcomUids[0]!)!.status, 'cancelled');
  });

  test('another company cannot cancel (or even find) an appointment by its id', async () => {
    const start = upcomingWorkday('13:00', 3);
    const appointment = await booked('tenant-a', start, 5);
    const viaService = await cancelOf('tenant-b:cancel', appointment.appointmentId, OTHER_COMPANY);
    assert.equal(viaService.status, 'rejected');
    assert.equal((viaService as Extract<CancelReply, { status: 'rejected' }>).code, 'appointment_not_found');

    // Straight to the actor that owns the appointment: it checks the tenant too.
    const key = slotKeyAt(COMPANY, 'anna', start, ZONE);
    const viaActor = await h.core.runtime.ask<CancelReply>(key, { id: 'tenant-b:direct', type: 'cancel', payload: { companyId: OTHER_COMPANY, appointmentId: appointment.appointmentId } });
    assert.ok(viaActor.ok);
    assert.equal(viaActor.value.status, 'rejected');
    assert.equal((viaActor.value as Extract<CancelReply, { status: 'rejected' }>).code, 'appointment_not_found');

    const moved = await h.core.booking.reschedule('tenant-b:move', { companyId: OTHER_COMPANY, appointmentId: appointment.appointmentId, start: iso(start + 3600_000) }, 15_000);
    assert.equal(moved.status, 'rejected');
    assert.equal(moved.status === 'rejected' && moved.code, 'appointment_not_found');

    assert.equal(rowsWhere(h, 'id = ?', appointment.appointmentId)[0]!.status, 'booked');
    assert.equal(simBooking(h, appointment.calcomUids[0]!)!.status, 'accepted');
    assert.equal(h.sim.control.stats().requests.cancel_booking ?? 0, 0);
  });

  test('two salons whose stylists share a calendar name do not block each other', async () => {
    const start = upcomingWorkday('14:00', 3);
    const a = await booked('same-name-a', start, 6, COMPANY);
    const b = await booked('same-name-b', start, 7, OTHER_COMPANY);
    assert.notEqual(a.appointmentId, b.appointmentId);
    assert.equal(h.sim.control.stats().bookings.active, 2);
    assert.equal(h.sim.control.stats().overlappingActiveBookings, 0, 'different Cal.com hosts');
    // Within one salon the calendar still collides.
    const clash = await h.core.booking.book('same-name-a2', { companyId: COMPANY, serviceId: 'damenhaarschnitt', start: iso(start - 30 * 60_000), customer: customer(8) }, 15_000);
    assert.equal(clash.status === 'slot_unavailable' && clash.reason, 'local_conflict');
  });
});
