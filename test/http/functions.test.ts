// The seven Retell functions over HTTP against the whole service (embedded Redis, SQLite,
// the built-in Cal.com simulator): happy paths, German arguments, both routes, aliases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import { isOpenDay, openDayFrom } from '../helpers/days.ts';
import { signRetellBody } from '../../src/retell/signature.ts';
import {
  at,
  count,
  DEFAULT_FROM,
  germanDate,
  iso,
  looksGerman,
  mobile,
  request,
  SALON,
  SALON_NUMBER,
  startServiceHarness,
  workdayAhead,
  ZONE,
  type ServiceHarness,
} from '../helpers/service.ts';

let h: ServiceHarness;
/** A working day a few days ahead (checks, bookings, alternatives). */
let D1: DateTime;
/** The working day after D1 (cancels and reschedules). */
let D2: DateTime;

before(async () => {
  h = await startServiceHarness();
  D1 = workdayAhead(3);
  D2 = workdayAhead(Math.round(D1.diff(DateTime.now().setZone(ZONE).startOf('day'), 'days').days) + 1);
});
after(() => h?.stop());

const HERREN = 'Herrenhaarschnitt';
const localHHmm = (isoStart: string) => DateTime.fromISO(isoStart, { zone: ZONE }).toFormat('HH:mm');
const localDate = (isoStart: string) => DateTime.fromISO(isoStart, { zone: ZONE }).toISODate();

interface AppointmentRow {
  id: number;
  company_id: string;
  service_id: string;
  status: string;
  origin: string;
  start_utc: number;
  end_utc: number;
  calcom_uid: string | null;
  command_id: string | null;
  call_id: string | null;
  customer_phone: string | null;
  customer_name: string | null;
}
const row = (id: number) => h.db.prepare('SELECT * FROM appointments WHERE id = ?').get(id) as AppointmentRow | undefined;
const simBooking = (uid: string) => h.sim.control.bookings().find((b) => b.uid === uid) as Record<string, any> | undefined;
const callRow = (callId: string) => h.db.prepare('SELECT * FROM calls WHERE call_id = ?').get(callId) as Record<string, any> | undefined;

test('check_availability "nächste Woche" lists free times of next week only, earliest first', async () => {
  const caller = h.caller(mobile(1));
  const monday = DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 1 });
  const { status, body } = await caller.fn('check_availability', { dienstleistung: HERREN, datum: 'nächste Woche' });
  assert.equal(status, 200);
  assert.equal(body.success, true, body.message);
  assert.equal(body.available, true);
  assert.ok(body.free_slots.length > 0);
  for (const slot of body.free_slots) {
    const t = Date.parse(slot.start);
    assert.ok(t >= monday.toMillis() && t < monday.plus({ weeks: 1 }).toMillis(), `${slot.start} is in the week of ${monday.toISODate()}`);
  }
  const starts = body.free_slots.map((s: { start: string }) => Date.parse(s.start));
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  // nothing is booked yet: the week starts with Monday's opening time, every half hour
  assert.equal(body.free_slots[0].start, iso(at(monday, '09:00')));
  assert.equal(body.free_slots[1].start, iso(at(monday, '09:30')));
  assert.match(body.message, /^In der Woche ab Montag/);
});

test('list_services names every service of the salon with duration and price', async () => {
  const { status, body } = await h.caller().fn('list_services');
  assert.equal(status, 200);
  assert.equal(body.success, true);
  assert.deepEqual(
    body.services.map((s: { id: string }) => s.id),
    ['herrenhaarschnitt', 'damenhaarschnitt', 'faerben', 'faerben-schneiden'],
  );
  assert.deepEqual(body.services[0], { id: 'herrenhaarschnitt', name: 'Herrenhaarschnitt', duration_minutes: 30, price_eur: 28 });
  assert.equal(body.services[3].duration_minutes, 180, 'a composite service lasts its segments plus the gap');
  assert.match(body.message, /^Wir bieten an: Herrenhaarschnitt \(30 Minuten, 28 Euro\)/);
});

test('check_availability: an exact free time is confirmed', async () => {
  const { body } = await h.caller(mobile(2)).fn('check_availability', { dienstleistung: 'Herrenschnitt', datum: germanDate(D1), uhrzeit: '10:00' });
  assert.equal(body.success, true, body.message);
  assert.equal(body.available, true);
  assert.equal(body.start, iso(at(D1, '10:00')));
  assert.equal(body.service, 'herrenhaarschnitt');
  assert.ok(looksGerman(body.message) && body.message.includes('10 Uhr'), body.message);
});

test('check_availability: "nachmittags" offers only afternoon times of that day', async () => {
  const { body } = await h.caller(mobile(3)).fn('check_availability', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: 'nachmittags' });
  assert.equal(body.success, true, body.message);
  assert.ok(body.free_slots.length > 0);
  for (const slot of body.free_slots) {
    assert.equal(localDate(slot.start), D1.toISODate());
    const hhmm = localHHmm(slot.start);
    assert.ok(hhmm >= '13:00' && hhmm < '17:00', `${hhmm} is in the afternoon window`);
  }
  assert.equal(body.free_slots[0].start, iso(at(D1, '13:00')));
});

test('book_appointment with German arguments ("morgen", "halb elf") books in Cal.com and locally; the call is marked', async () => {
  const tomorrow = DateTime.now().setZone(ZONE).plus({ days: 1 }).startOf('day');
  // Closed tomorrow (a Sunday, a public holiday): then name the next open day instead.
  const [datum, day] = isOpenDay(tomorrow) ? ['morgen', tomorrow] : [germanDate(openDayFrom(tomorrow)), openDayFrom(tomorrow)];
  const caller = h.caller(mobile(4));
  const started = await caller.event('call_started', { start_timestamp: Date.now() });
  assert.equal(started.status, 200);
  assert.equal(callRow(caller.callId)?.has_appointment, 0);

  const { status, body } = await caller.fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum, uhrzeit: 'halb elf', name: 'Max Mustermann' });
  assert.equal(status, 200);
  assert.equal(body.success, true, body.message);
  assert.equal(body.start, iso(at(day, '10:30')));
  assert.equal(body.service, 'herrenhaarschnitt');
  assert.match(body.message, /gebucht.*10:30 Uhr/);

  const appointment = row(body.appointment_id);
  assert.ok(appointment, 'the appointment row exists');
  assert.equal(appointment.company_id, SALON);
  assert.equal(appointment.service_id, 'herrenhaarschnitt');
  assert.equal(appointment.status, 'booked');
  assert.equal(appointment.origin, 'voice');
  assert.equal(appointment.start_utc, at(day, '10:30'));
  assert.equal(appointment.end_utc - appointment.start_utc, 30 * 60_000);
  assert.equal(appointment.call_id, caller.callId);
  assert.equal(appointment.customer_phone, mobile(4));
  assert.equal(appointment.customer_name, 'Max Mustermann');
  assert.ok(appointment.calcom_uid);

  const booking = simBooking(appointment.calcom_uid);
  assert.ok(booking, 'the booking exists in Cal.com');
  assert.equal(booking.status, 'accepted');
  assert.equal(booking.start, iso(at(day, '10:30')));
  assert.equal(booking.eventTypeId, 1001);
  assert.equal(booking.metadata.commandId, appointment.command_id);
  assert.equal(booking.metadata.callId, caller.callId);
  assert.equal(booking.attendees[0].phoneNumber, mobile(4));

  assert.equal(callRow(caller.callId)?.has_appointment, 1, 'calls.has_appointment is set by the booking');
});

test('a booking made before the call_started webhook still marks the call', async () => {
  const caller = h.caller(mobile(5));
  const { body } = await caller.fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: '11:30', name: 'Erika Muster' });
  assert.equal(body.success, true, body.message);
  assert.equal(callRow(caller.callId), undefined, 'no call row yet');
  await caller.event('call_started', { start_timestamp: Date.now() });
  assert.equal(callRow(caller.callId)?.has_appointment, 1);

  const other = h.caller(mobile(6));
  await other.event('call_started', { start_timestamp: Date.now() });
  assert.equal(callRow(other.callId)?.has_appointment, 0, 'a call without a booking is not marked');
});

test('check_customer: a new caller, then the same caller known with the upcoming appointment', async () => {
  const phone = mobile(7);
  const first = await h.caller(phone).fn('check_customer');
  assert.equal(first.body.success, true);
  assert.equal(first.body.known, false);
  assert.equal(first.body.phone, phone);
  assert.ok(looksGerman(first.body.message));

  const booked = await h.caller(phone).fn('book_appointment', { dienstleistung: 'Damenhaarschnitt', datum: germanDate(D1), uhrzeit: '15:00', name: 'Jana Beispiel' });
  assert.equal(booked.body.success, true, booked.body.message);

  const again = await h.caller(phone).fn('check_customer');
  assert.equal(again.body.known, true);
  assert.equal(again.body.customer.name, 'Jana Beispiel');
  assert.equal(again.body.customer.phone, phone);
  assert.equal(again.body.upcoming_appointments.length, 1);
  assert.equal(again.body.upcoming_appointments[0].appointment_id, booked.body.appointment_id);
  assert.equal(again.body.upcoming_appointments[0].start, iso(at(D1, '15:00')));
  assert.match(again.body.message, /Willkommen zurück, Jana Beispiel\. Ihr nächster Termin ist am .*15 Uhr \(Damenhaarschnitt\)/);

  // the caller's own number given as an argument (national form) is the same customer
  const ownByArg = await h.caller(phone).fn('check_customer', { telefon: `0${phone.slice(3)}` });
  assert.equal(ownByArg.body.known, true);
  // someone else's number reveals nothing, known or not (test/http/security.test.ts has the rest)
  const byArg = await h.caller(mobile(8)).fn('check_customer', { telefon: `0${phone.slice(3)}` });
  assert.equal(byArg.body.error, 'not_verifiable');
  assert.equal(byArg.body.customer, undefined);
});

test('check_availability: a taken exact time is answered with nearby free alternatives', async () => {
  const taken = at(D1, '16:00');
  const booked = await h.caller(mobile(9)).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: '16:00', name: 'Paul' });
  assert.equal(booked.body.success, true, booked.body.message);

  const { body } = await h.caller(mobile(10)).fn('check_availability', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: '16 Uhr' });
  assert.equal(body.success, true);
  assert.equal(body.available, false);
  assert.ok(body.alternatives.length >= 1 && body.alternatives.length <= 3);
  assert.ok(body.alternatives.every((a: { start: string }) => Date.parse(a.start) !== taken));
  assert.ok(looksGerman(body.message) && body.message.includes('nicht mehr frei'), body.message);

  // every alternative offered is really free: the same question for it says so
  const free = await h.caller(mobile(10)).fn('check_availability', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: 'nachmittags' });
  const freeStarts = new Set(free.body.free_slots.map((s: { start: string }) => s.start));
  assert.ok(!freeStarts.has(iso(taken)), 'the taken time is no longer listed as free');
  for (const alt of body.alternatives) {
    const check = await h.caller(mobile(10)).fn('check_availability', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: localHHmm(alt.start) });
    assert.equal(check.body.available, true, `${alt.start} is free`);
  }
});

test('get_alternatives returns up to three free times near the wished one, never the taken one', async () => {
  const { body } = await h.caller(mobile(11)).fn('get_alternatives', { dienstleistung: HERREN, datum: germanDate(D1), uhrzeit: '16:00' });
  assert.equal(body.success, true, body.message);
  assert.ok(body.alternatives.length >= 1 && body.alternatives.length <= 3);
  for (const alt of body.alternatives) {
    assert.notEqual(alt.start, iso(at(D1, '16:00')));
    assert.ok(Math.abs(Date.parse(alt.start) - at(D1, '16:00')) <= 24 * 3600_000, 'near the wished time');
  }
  assert.match(body.message, /^Frei wäre: /);
});

test('cancel_appointment by termin_id cancels in Cal.com and locally', async () => {
  const caller = h.caller(mobile(12));
  const booked = await caller.fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '10:00', name: 'Tom' });
  assert.equal(booked.body.success, true, booked.body.message);
  const uid = row(booked.body.appointment_id)!.calcom_uid!;
  assert.equal(simBooking(uid)?.status, 'accepted');

  const cancelsBefore = h.sim.control.stats().requests.cancel_booking ?? 0;
  const { body } = await caller.fn('cancel_appointment', { termin_id: booked.body.appointment_id });
  assert.equal(body.success, true, body.message);
  assert.equal(body.appointment_id, booked.body.appointment_id);
  assert.match(body.message, /storniert/);
  assert.equal(row(booked.body.appointment_id)!.status, 'cancelled');
  assert.equal(simBooking(uid)?.status, 'cancelled');

  // The same request of the same call again (Retell retries a call it got no answer to) gets the first answer.
  const retried = await caller.fn('cancel_appointment', { termin_id: booked.body.appointment_id });
  assert.deepEqual(retried.body, body);
  assert.equal(h.sim.control.stats().requests.cancel_booking, cancelsBefore + 1, 'Cal.com was asked once');

  // A new call asking the same is told the truth: it is cancelled already.
  const again = await h.caller(mobile(12)).fn('cancel_appointment', { termin_id: booked.body.appointment_id });
  assert.equal(again.body.success, false);
  assert.equal(again.body.error, 'already_cancelled');
  assert.ok(looksGerman(again.body.message));
});

test('cancel_appointment without an id finds the caller\'s upcoming appointment by phone', async () => {
  const phone = mobile(13);
  const booked = await h.caller(phone).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '11:00', name: 'Lena' });
  assert.equal(booked.body.success, true, booked.body.message);
  const uid = row(booked.body.appointment_id)!.calcom_uid!;

  const { body } = await h.caller(phone).fn('cancel_appointment', {});
  assert.equal(body.success, true, body.message);
  assert.equal(body.appointment_id, booked.body.appointment_id);
  assert.equal(row(booked.body.appointment_id)!.status, 'cancelled');
  assert.equal(simBooking(uid)?.status, 'cancelled');

  const none = await h.caller(phone).fn('cancel_appointment', {});
  assert.equal(none.body.success, false);
  assert.equal(none.body.error, 'appointment_not_found');
});

test('reschedule_appointment moves the appointment: the old time is freed, the new one booked', async () => {
  const phone = mobile(14);
  const booked = await h.caller(phone).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '14:00', name: 'Kai' });
  assert.equal(booked.body.success, true, booked.body.message);
  const oldUid = row(booked.body.appointment_id)!.calcom_uid!;

  const { body } = await h.caller(phone).fn('reschedule_appointment', { termin_id: booked.body.appointment_id, neues_datum: germanDate(D2), neue_uhrzeit: 'halb vier' });
  assert.equal(body.success, true, body.message);
  assert.equal(body.start, iso(at(D2, '15:30')));
  assert.match(body.message, /verschoben/);

  const live = h.db
    .prepare("SELECT * FROM appointments WHERE customer_phone = ? AND status IN ('booked', 'pending')")
    .all(phone) as AppointmentRow[];
  assert.equal(live.length, 1, 'exactly one live appointment after the move');
  assert.equal(live[0]!.start_utc, at(D2, '15:30'));
  assert.equal(live[0]!.id, body.appointment_id);
  assert.notEqual(simBooking(oldUid)?.status, 'accepted', 'the old Cal.com booking is no longer active');
  const active = h.sim.control.bookings().filter((b: Record<string, any>) => b.status === 'accepted' && b.attendees[0].phoneNumber === phone);
  assert.deepEqual(active.map((b: Record<string, any>) => b.start), [iso(at(D2, '15:30'))]);

  const check = await h.caller(mobile(15)).fn('check_availability', { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '14:00' });
  assert.equal(check.body.available, true, 'the old time is free again');
});

test('POST /retell/functions/:name takes the args at the root and the call in the body', async () => {
  const caller = h.caller(mobile(16));
  const { status, body } = await caller.post('/retell/functions/check_availability', {
    call: caller.call,
    dienstleistung: HERREN,
    datum: germanDate(D2),
    uhrzeit: '09:30',
  });
  assert.equal(status, 200);
  assert.equal(body.success, true, body.message);
  assert.equal(body.available, true);
  assert.equal(body.start, iso(at(D2, '09:30')));
});


test('versioned aliases from the catalog run their function', async () => {
  const caller = h.caller(mobile(18));
  const args = { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '12:00' };
  const plain = await caller.fn('check_availability', args);
  const aliased = await caller.fn('check_availability_v17', args);
  assert.equal(aliased.status, 200);
  assert.equal(aliased.body.success, true);
  assert.equal(aliased.body.available, true);
  assert.deepEqual(aliased.body, plain.body);

  const before = count(h.db, 'appointments');
  const booked = await caller.fn('start_booking', { ...args, name: 'Alias Kunde' });
  assert.equal(booked.body.success, true, booked.body.message);
  assert.equal(count(h.db, 'appointments'), before + 1);
  assert.equal(row(booked.body.appointment_id)!.start_utc, at(D2, '12:00'));

  const viaRoute = await caller.post('/retell/functions/get_available_slots', { call: caller.call, ...args, uhrzeit: 'vormittags' });
  assert.equal(viaRoute.body.success, true);
  assert.ok(viaRoute.body.free_slots.every((s: { start: string }) => localHHmm(s.start) < '12:00'));
});

test('repeating a booking call (same call, same args) answers with the same appointment, once in Cal.com', async () => {
  const caller = h.caller(DEFAULT_FROM);
  const args = { dienstleistung: HERREN, datum: germanDate(D2), uhrzeit: '17:00', name: 'Max Repeat' };
  const first = await caller.fn('book_appointment', args);
  const second = await caller.fn('book_appointment', args);
  assert.equal(first.body.success, true, first.body.message);
  assert.deepEqual(second.body, first.body);
  assert.equal(h.sim.control.stats().activeBookingsBySlot[`1001@${iso(at(D2, '17:00'))}`], 1);
  assert.equal(count(h.db, 'appointments', 'start_utc = ? AND status = ?', at(D2, '17:00'), 'booked'), 1);
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
});
