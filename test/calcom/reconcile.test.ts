import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CalcomUnknownOutcomeError } from '../../src/calcom/index.ts';
import type { CalcomSimulator } from '../../src/simulator/index.ts';
import { attendee, nextMonday, startSim, testClient, utc } from './helpers.ts';

describe('unknown outcomes are reconciled through metadata, never retried blindly', () => {
  let sim: CalcomSimulator;
  let t: ReturnType<typeof testClient>;

  before(async () => {
    sim = await startSim();
    t = testClient(sim, { timeouts: { create_booking: 150, reschedule_booking: 150 } });
  });
  after(async () => {
    await t.client.close();
    await sim.close();
  });
  beforeEach(() => sim.control.reset());

  const input = (commandId: string, hour = 10) => ({
    start: utc(nextMonday(hour)),
    eventTypeId: 12,
    attendee: attendee(),
    metadata: { commandId, callId: 'call-9' },
  });

  it('a create that took effect before the connection dropped is found by its command id', async () => {
    // Someone else's booking in the same window must not be mistaken for ours.
    sim.control.createExternalBooking({ eventTypeId: 11, start: utc(nextMonday(11)), metadata: { commandId: 'other' } });
    sim.control.queueFaults('create_booking', ['take_effect_then_drop']);
    const result = await t.client.createBookingReconciled(input('cmd-drop-after'));
    assert.equal(result.outcome, 'reconciled');
    assert.ok(result.outcome === 'reconciled' && result.cause instanceof CalcomUnknownOutcomeError);
    const bookings = sim.control.bookings().filter((b) => b.eventTypeId === 12);
    assert.equal(bookings.length, 1);
    assert.equal(result.booking.uid, bookings[0]?.uid);
    assert.equal(result.booking.metadata.commandId, 'cmd-drop-after');
    const stats = sim.control.stats();
    assert.equal(stats.requests.create_booking, 1, 'not retried');
    assert.equal(stats.requests.list_bookings, 1);
  });

  it('a create dropped before taking effect reports not booked', async () => {
    sim.control.queueFaults('create_booking', ['drop']);
    const result = await t.client.createBookingReconciled(input('cmd-dropped'));
    assert.equal(result.outcome, 'not_booked');
    assert.equal(sim.control.stats().bookings.total, 0);
    assert.equal(sim.control.stats().requests.create_booking, 1);
  });

  it('a create that hung past the timeout and did nothing reports not booked', async () => {
    sim.control.queueFaults('create_booking', ['timeout']);
    const result = await t.client.createBookingReconciled(input('cmd-hang'));
    assert.equal(result.outcome, 'not_booked');
    assert.ok(result.outcome === 'not_booked' && result.cause.kind === 'timeout');
  });

  it('a slow create that finishes after our timeout is found by a later lookup', async () => {
    sim.control.setLatency('create_booking', { kind: 'fixed', ms: 250 });
    const delays: number[] = [];
    const result = await t.client.createBookingReconciled(input('cmd-slow'), {
      lookupDelaysMs: [0, 300],
      durationMinutes: 30,
      sleep: (ms) => {
        delays.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    assert.equal(result.outcome, 'reconciled');
    assert.deepEqual(delays, [300]);
    assert.equal(sim.control.stats().requests.list_bookings, 2);
  });

  it('a plain success and a plain refusal pass through unchanged', async () => {
    const ok = await t.client.createBookingReconciled(input('cmd-ok'));
    assert.equal(ok.outcome, 'created');
    await assert.rejects(t.client.createBookingReconciled(input('cmd-second')), (err: Error) => /already has booking/.test(err.message));
    assert.equal(sim.control.stats().requests.list_bookings, undefined);
  });

  it('an unknown-outcome reschedule is reconciled through rescheduledFromUid', async () => {
    const original = await t.client.createBooking(input('cmd-orig', 9));
    sim.control.queueFaults('reschedule_booking', ['take_effect_then_drop']);
    const moved = await t.client.rescheduleBookingReconciled(original.uid, { start: utc(nextMonday(14)) });
    assert.equal(moved.outcome, 'reconciled');
    assert.ok(moved.outcome === 'reconciled' && moved.booking.rescheduledFromUid === original.uid);

    const other = await t.client.createBooking(input('cmd-orig-2', 10));
    sim.control.queueFaults('reschedule_booking', ['drop']);
    const notMoved = await t.client.rescheduleBookingReconciled(other.uid, { start: utc(nextMonday(15)) });
    assert.equal(notMoved.outcome, 'not_rescheduled');
    assert.ok(notMoved.outcome === 'not_rescheduled' && notMoved.original.status === 'accepted');
    assert.equal(sim.control.stats().requests.reschedule_booking, 2);
  });
});
