import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ReconcileInput } from '../../src/actors/reconcile.ts';
import type { ReconcileReply } from '../../src/actors/replies.ts';
import { slotKeyAt } from '../../src/actors/slot-key.ts';
import { COMPANY, customer, iso, rowsWhere, simBooking, startCoreHarness, upcomingWorkday, waitForRelease, ZONE, type CoreHarness } from '../helpers/core.ts';

describe('reconcile (Cal.com booking events) and settle (dead intents)', () => {
  let h: CoreHarness;
  before(async () => {
    h = await startCoreHarness();
  });
  after(() => h.close());
  beforeEach(() => h.sim.control.reset());

  const keyOf = (startUtc: number) => slotKeyAt(COMPANY, 'anna', startUtc, ZONE);
  let n = 0;
  async function send(type: 'reconcile' | 'settle', startUtc: number, payload: unknown): Promise<ReconcileReply> {
    const reply = await h.core.runtime.ask<ReconcileReply>(keyOf(startUtc), { id: `${type}-${++n}`, type, payload });
    assert.ok(reply.ok, JSON.stringify(reply));
    return reply.value;
  }
  /** What the webhook handler sends for a Cal.com booking (API shape from the simulator). */
  const eventOf = (event: 'created' | 'cancelled', b: Record<string, unknown>): ReconcileInput => ({
    event,
    uid: b.uid as string,
    eventTypeId: b.eventTypeId as number,
    startUtc: Date.parse(b.start as string),
    endUtc: Date.parse(b.end as string),
    metadata: (b.metadata ?? {}) as Record<string, string>,
    attendee: { name: 'Walk-in', email: 'walkin@example.de' },
  });
  const bookOf = (commandId: string, serviceId: string, startUtc: number, i: number) =>
    h.core.booking.book(commandId, { companyId: COMPANY, serviceId, start: iso(startUtc), customer: customer(i) }, 15_000);
  const pendingIntent = (commandId: string, startUtc: number, durationMin = 30, eventTypeId = 1001) =>
    h.core.store.appointments.insert({
      companyId: COMPANY, serviceId: eventTypeId === 1001 ? 'herrenhaarschnitt' : 'damenhaarschnitt', calendarKey: 'anna', eventTypeId,
      startUtc, endUtc: startUtc + durationMin * 60_000, status: 'pending', origin: 'voice', commandId, groupId: commandId,
      customerName: 'Kunde', customerEmail: 'kunde@example.de',
    });

  test('an external booking becomes an appointment of origin calcom that blocks overlapping local bookings until cancelled', async () => {
    const ten = upcomingWorkday('10:00', 3);
    const external = h.sim.control.createExternalBooking({ eventTypeId: 1002, start: iso(ten), attendee: { name: 'Walk-in' } }); // 60 min
    assert.deepEqual(await send('reconcile', ten, eventOf('created', external)), { status: 'reconciled', action: 'recorded_external_booking' });
    const [row] = rowsWhere(h, 'calcom_uid = ?', external.uid);
    assert.equal(row!.origin, 'calcom');
    assert.equal(row!.status, 'booked');
    assert.equal(row!.end_utc - row!.start_utc, 60 * 60_000);

    // The same event again (webhooks repeat) changes nothing.
    assert.equal((await send('reconcile', ten, eventOf('created', external))).action, 'unchanged');
    assert.equal(rowsWhere(h, 'calcom_uid = ?', external.uid).length, 1);

    const blocked = await bookOf('after-external', 'herrenhaarschnitt', ten + 30 * 60_000, 1);
    assert.equal(blocked.status === 'slot_unavailable' && blocked.reason, 'local_conflict', JSON.stringify(blocked));

    h.sim.control.cancelExternalBooking(external.uid as string, 'Kunde abgesprungen');
    assert.equal((await send('reconcile', ten, eventOf('cancelled', simBooking(h, external.uid as string)!))).action, 'marked_cancelled');
    assert.equal(rowsWhere(h, 'calcom_uid = ?', external.uid)[0]!.status, 'cancelled');
    const freed = await bookOf('after-external-cancelled', 'herrenhaarschnitt', ten + 30 * 60_000, 2);
    assert.equal(freed.status, 'booked', JSON.stringify(freed));
  });

  test('a created event for an event type we do not know is ignored', async () => {
    const at = upcomingWorkday('10:00', 5);
    const reply = await send('reconcile', at, { event: 'created', uid: 'foreign-1', eventTypeId: 999_999, startUtc: at, endUtc: at + 1800_000 });
    assert.equal(reply.action, 'ignored_unknown_event_type');
    assert.equal(rowsWhere(h, 'calcom_uid = ?', 'foreign-1').length, 0);
  });

  test('a created event carrying our own command id settles its pending intent instead of adding a row', async () => {
    const at = upcomingWorkday('11:00', 5);
    const intent = await pendingIntent('own-cmd-1', at);
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(at), metadata: { commandId: 'own-cmd-1', origin: 'voice' } });
    assert.equal((await send('reconcile', at, eventOf('created', made))).action, 'settled_pending_intent');
    const rows = rowsWhere(h, 'start_utc = ?', at);
    assert.equal(rows.length, 1, 'no second row');
    assert.equal(rows[0]!.id, intent.id);
    assert.equal(rows[0]!.status, 'booked');
    assert.equal(rows[0]!.calcom_uid, made.uid);
  });

  test('a created event for a command that gave up cancels that booking in Cal.com', async () => {
    const at = upcomingWorkday('12:00', 5);
    const intent = await pendingIntent('abandoned-cmd', at);
    await h.core.store.appointments.setStatus(intent.id, 'failed');
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(at), metadata: { commandId: 'abandoned-cmd' } });
    assert.equal((await send('reconcile', at, eventOf('created', made))).action, 'cancelled_abandoned_booking');
    assert.equal(simBooking(h, made.uid as string)!.status, 'cancelled');
    assert.equal(rowsWhere(h, 'start_utc = ? AND status IN (?, ?)', at, 'booked', 'pending').length, 0);
  });

  test('settle: a stale pending intent becomes booked if Cal.com has its booking, failed if not', async () => {
    const withBooking = upcomingWorkday('14:00', 5);
    const withoutBooking = upcomingWorkday('15:00', 5);
    const a = await pendingIntent('settle-yes', withBooking);
    const b = await pendingIntent('settle-no', withoutBooking);
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(withBooking), metadata: { commandId: 'settle-yes' } });

    assert.equal((await send('settle', withBooking, { appointmentId: a.id })).action, 'settled_booked');
    assert.equal((await send('settle', withoutBooking, { appointmentId: b.id })).action, 'settled_failed');
    assert.equal(rowsWhere(h, 'id = ?', a.id)[0]!.status, 'booked');
    assert.equal(rowsWhere(h, 'id = ?', a.id)[0]!.calcom_uid, made.uid);
    assert.equal(rowsWhere(h, 'id = ?', b.id)[0]!.status, 'failed');
    // Settling again is a no-op.
    assert.equal((await send('settle', withBooking, { appointmentId: a.id })).action, 'unchanged');
    assert.equal(h.sim.control.stats().requests.create_booking ?? 0, 0);
  });

  test('settle: a booking of our command that Cal.com already cancelled, or at another time, does not count', async () => {
    const at = upcomingWorkday('16:00', 5);
    const intent = await pendingIntent('settle-cancelled', at);
    const made = h.sim.control.createExternalBooking({ eventTypeId: 1001, start: iso(at), metadata: { commandId: 'settle-cancelled' } });
    h.sim.control.cancelExternalBooking(made.uid as string);
    assert.equal((await send('settle', at, { appointmentId: intent.id })).action, 'settled_failed');
  });

  test('settle: an intent whose saved uid Cal.com does not know (404) fails instead of erroring forever', async () => {
    const at = upcomingWorkday('17:00', 5);
    const intent = (await h.core.store.appointments.insert({
      companyId: COMPANY, serviceId: 'herrenhaarschnitt', calendarKey: 'anna', eventTypeId: 1001,
      startUtc: at, endUtc: at + 30 * 60_000, status: 'pending', origin: 'voice', commandId: 'settle-gone', groupId: 'settle-gone', calcomUid: 'gone-uid',
    }));
    assert.equal((await send('settle', at, { appointmentId: intent.id })).action, 'settled_failed');
    assert.equal(rowsWhere(h, 'id = ?', intent.id)[0]!.status, 'failed');
  });

  test('lost answer + failed lookup leaves the intent pending (error to the caller); settle then books it, and the caller’s retry converges', async () => {
    const at = upcomingWorkday('10:00', 7);
    h.sim.control.queueFaults('create_booking', ['take_effect_then_drop']);
    h.sim.control.setFaults('list_bookings', { rates: { '5xx': 1 } });
    const first = await bookOf('lost-answer', 'herrenhaarschnitt', at, 3);
    assert.equal(first.status, 'error');
    assert.equal(first.status === 'error' && first.code, 'booking_outcome_unknown');
    const [intent] = rowsWhere(h, 'command_id = ?', 'lost-answer');
    assert.equal(intent!.status, 'pending', 'the outcome is unknown: the intent stays open');
    assert.equal(h.sim.control.stats().bookings.active, 1, 'Cal.com did book it');

    // The pending intent holds the slot locally meanwhile.
    const other = await bookOf('lost-answer-rival', 'herrenhaarschnitt', at, 4);
    assert.equal(other.status === 'slot_unavailable' && other.reason, 'local_conflict');

    h.sim.control.setFaults('list_bookings', {});
    assert.equal((await send('settle', at, { appointmentId: intent!.id })).action, 'settled_booked');
    assert.equal(rowsWhere(h, 'id = ?', intent!.id)[0]!.status, 'booked');

    await waitForRelease(h, keyOf(at), 'lost-answer');
    const retry = await bookOf('lost-answer', 'herrenhaarschnitt', at, 3);
    assert.equal(retry.status, 'booked', JSON.stringify(retry));
    assert.equal(retry.status === 'booked' && retry.appointment.appointmentId, intent!.id);
    assert.equal(h.sim.control.stats().requests.create_booking, 1, 'never created twice');
    assert.equal(h.sim.control.stats().bookings.active, 1);
  });
});
