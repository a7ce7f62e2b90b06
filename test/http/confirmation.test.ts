// Event types that require the business's confirmation (Cal.com: `requiresConfirmation`; a create
// answers status "pending" and sends BOOKING_REQUESTED, the business's confirmation sends
// BOOKING_CREATED, a decline BOOKING_REJECTED — packages/features/bookings/lib/handleNewBooking.ts,
// packages/features/bookings/lib/handleConfirmation.ts). The caller hears "angefragt", never "gebucht".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { germanDate, mobile, startServiceHarness, waitFor, workdayAhead, type ServiceHarness } from '../helpers/service.ts';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness();
  // Salon Schmidt's colouring (event type 1003) needs the salon's confirmation.
  h.sim.control.addEventType({ id: 1003, slug: 'faerben-1003', title: 'Färben', lengthInMinutes: 90, hostId: 1, slotIntervalMinutes: 30, requiresConfirmation: true });
});
after(() => h?.stop());

const row = (id: number) => h.db.prepare('SELECT status, awaiting_confirmation, calcom_uid FROM appointments WHERE id = ?').get(id) as { status: string; awaiting_confirmation: number; calcom_uid: string };

async function request(phone: string, time: string) {
  const res = await h.caller(phone).fn('book_appointment', { dienstleistung: 'Färben', datum: germanDate(workdayAhead(5)), uhrzeit: time, name: 'Frau Farbe' });
  assert.equal(res.body.success, true, res.body.message);
  return res.body;
}

test('a booking that needs confirmation is "angefragt", stored as awaiting, and confirmed by the webhook', async () => {
  const body = await request(mobile(961), '10:00');
  assert.equal(body.status, 'requested');
  assert.match(body.message, /angefragt/);
  assert.match(body.message, /Bestätigung/);
  assert.doesNotMatch(body.message, /ist gebucht/);
  const booked = row(body.appointment_id);
  assert.deepEqual({ status: booked.status, awaiting: booked.awaiting_confirmation }, { status: 'booked', awaiting: 1 });
  assert.equal((h.sim.control.bookings().find((b) => b.uid === booked.calcom_uid) as { status: string }).status, 'pending');

  // The salon confirms in Cal.com: BOOKING_CREATED settles it.
  h.sim.control.confirmBooking(booked.calcom_uid);
  await h.sim.control.flushWebhooks();
  await waitFor(() => row(body.appointment_id).awaiting_confirmation === 0, 'the confirmation webhook to be applied');
  assert.equal(row(body.appointment_id).status, 'booked');
});

test('a declined request (BOOKING_REJECTED) frees the appointment', async () => {
  const body = await request(mobile(962), '14:00');
  const { calcom_uid: uid } = row(body.appointment_id);
  h.sim.control.declineBooking(uid, 'Keine Zeit');
  await h.sim.control.flushWebhooks();
  await waitFor(() => row(body.appointment_id).status === 'cancelled', 'the rejection webhook to be applied');
  // and a retry of the same request does not claim it is still requested
  const again = await h.caller(mobile(962)).fn('cancel_appointment', { termin_id: body.appointment_id });
  assert.equal(again.body.success, false);
  assert.equal(again.body.error, 'already_cancelled');
});
