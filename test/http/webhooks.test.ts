// Webhooks over HTTP: Retell call lifecycle events fill the calls table (costs per role from
// the catalog's markups); Cal.com booking events from the simulator reach the service signed,
// become appointments of origin 'calcom' and change what is offered. Bad signatures: 401.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { signCalPayload } from '../../src/calcom/signature.ts';
import { signRetellBody } from '../../src/retell/signature.ts';
import {
  at,
  count,
  germanDate,
  iso,
  mobile,
  request,
  SALON,
  SALON_NUMBER,
  sampleCatalog,
  startServiceHarness,
  waitFor,
  workdayAhead,
  type ServiceHarness,
} from '../helpers/service.ts';

/** Known here so the test can sign (and tamper with) Cal.com webhooks itself. */
const CAL_SECRET = 'whsec_test_0123456789';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness({ env: { CALCOM_WEBHOOK_SECRET: CAL_SECRET } });
});
after(() => h?.stop());

const callRow = (callId: string) => h.db.prepare('SELECT * FROM calls WHERE call_id = ?').get(callId) as Record<string, any> | undefined;
const byUid = (uid: string) => h.db.prepare('SELECT * FROM appointments WHERE calcom_uid = ?').get(uid) as Record<string, any> | undefined;

test('call_started / call_ended / call_analyzed write the call with numbers, times, duration, reason and costs per role', async () => {
  const salon = sampleCatalog().companies.find((c) => c.id === SALON)!;
  const { resellerMarkup, customerMarkup } = salon.billing;
  assert.ok(resellerMarkup !== 1 && customerMarkup !== 1 && resellerMarkup !== customerMarkup, 'the sample catalog has distinct markups');

  const caller = h.caller(mobile(700));
  const start = Date.now() - 120_000;
  const started = await caller.event('call_started', { start_timestamp: start });
  assert.equal(started.status, 200);
  assert.deepEqual(started.body, { success: true, company: SALON });
  let row = callRow(caller.callId)!;
  assert.equal(row.company_id, SALON);
  assert.equal(row.from_number, mobile(700));
  assert.equal(row.to_number, SALON_NUMBER);
  assert.equal(row.direction, 'inbound');
  assert.equal(row.agent_id, 'agent_demo');
  assert.equal(row.status, 'started');
  assert.equal(row.started_at, start);
  assert.equal(row.ended_at, null);
  assert.equal(row.cost_raw_cents, null);

  const end = start + 95_500;
  const ended = await caller.event('call_ended', {
    start_timestamp: start,
    end_timestamp: end,
    duration_ms: 95_500,
    disconnection_reason: 'user_hangup',
    call_cost: { combined_cost: 12.5, product_costs: [] },
  });
  assert.equal(ended.status, 200);
  row = callRow(caller.callId)!;
  assert.equal(row.status, 'ended');
  assert.equal(row.started_at, start);
  assert.equal(row.ended_at, end);
  assert.equal(row.duration_ms, 95_500);
  assert.equal(row.disconnection_reason, 'user_hangup');
  assert.equal(row.cost_raw_cents, 12.5);
  assert.equal(row.cost_admin_cents, 12.5);
  assert.equal(row.cost_reseller_cents, 12.5 * resellerMarkup);
  assert.equal(row.cost_customer_cents, 12.5 * customerMarkup);

  // call_analyzed without costs keeps what call_ended wrote
  const analyzed = await caller.event('call_analyzed', { start_timestamp: start, call_status: 'ended', call_analysis: { call_successful: true } });
  assert.equal(analyzed.status, 200);
  row = callRow(caller.callId)!;
  assert.equal(row.status, 'ended');
  assert.equal(row.cost_customer_cents, 12.5 * customerMarkup);
  assert.equal(row.duration_ms, 95_500);
  assert.equal(count(h.db, 'calls', 'call_id = ?', caller.callId), 1, 'one row per call');
});

test('a call_ended without duration_ms gets it from the timestamps; an unknown event is ignored', async () => {
  const caller = h.caller(mobile(701));
  const start = Date.now() - 60_000;
  await caller.event('call_ended', { start_timestamp: start, end_timestamp: start + 42_000, disconnection_reason: 'agent_hangup' });
  const row = callRow(caller.callId)!;
  assert.equal(row.duration_ms, 42_000);
  assert.equal(row.status, 'ended');
  assert.equal(row.disconnection_reason, 'agent_hangup');

  const other = h.caller(mobile(702));
  const ignored = await other.post('/retell/webhook', { event: 'transcript_updated', call: other.call });
  assert.equal(ignored.status, 200);
  assert.deepEqual(ignored.body, { success: true, ignored: 'transcript_updated' });
  assert.equal(callRow(other.callId), undefined);
});

test('a Retell webhook with a bad signature is 401 and changes nothing', async () => {
  const caller = h.caller(mobile(703));
  await caller.event('call_started', { start_timestamp: Date.now() - 10_000 });
  const before = callRow(caller.callId)!;
  const raw = JSON.stringify({ event: 'call_ended', call: { ...caller.call, end_timestamp: Date.now(), disconnection_reason: 'forged', call_cost: { combined_cost: 9999 } } });
  for (const signature of [undefined, 'v=1,d=00', signRetellBody(raw, 'wrong-key'), signRetellBody(`${raw} `, h.service.retellApiKey)]) {
    const res = await request(`${h.url}/retell/webhook`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...(signature && { 'x-retell-signature': signature }) } });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json?.error, 'invalid_signature');
  }
  assert.deepEqual(callRow(caller.callId), before);
  const forged = h.caller(mobile(704));
  const raw2 = JSON.stringify({ event: 'call_started', call: forged.call });
  await request(`${h.url}/retell/webhook`, { method: 'POST', body: raw2, headers: { 'content-type': 'application/json' } });
  assert.equal(callRow(forged.callId), undefined, 'no row for an unsigned call_started');
});

test('an external Cal.com booking arrives as a signed webhook: an appointment of origin calcom, and the time is no longer offered', async () => {
  const day = workdayAhead(3);
  const caller = h.caller(mobile(710));
  const args = { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '15:00' };
  const beforeCheck = await caller.fn('check_availability', args);
  assert.equal(beforeCheck.body.available, true, 'free before (and now cached)');

  const external = h.sim.control.createExternalBooking({
    eventTypeId: 1001,
    start: iso(at(day, '15:00')),
    attendee: { name: 'Laufkundin', email: 'lauf@example.de', phoneNumber: mobile(711) },
  });
  const uid = external.uid as string;
  const row = await waitFor(() => byUid(uid), 'the external booking to become an appointment');
  assert.equal(row.origin, 'calcom');
  assert.equal(row.status, 'booked');
  assert.equal(row.company_id, SALON);
  assert.equal(row.service_id, 'herrenhaarschnitt');
  assert.equal(row.start_utc, at(day, '15:00'));
  assert.equal(row.end_utc, at(day, '15:30'));
  assert.equal(row.customer_name, 'Laufkundin');
  assert.equal(row.customer_phone, mobile(711));
  await h.sim.control.flushWebhooks(); // the row can appear before the simulator has read the answer
  const delivery = h.sim.control.webhookDeliveries().find((d) => d.uid === uid && d.triggerEvent === 'BOOKING_CREATED');
  assert.equal(delivery?.status, 202, 'the service accepted the signed webhook');

  const afterCheck = await caller.fn('check_availability', args);
  assert.equal(afterCheck.body.available, false, 'the cached week was invalidated');
  assert.ok(!afterCheck.body.alternatives.some((a: { start: string }) => a.start === iso(at(day, '15:00'))));
  // a longer service that would overlap is refused too (ranges, not start times)
  const damen = await caller.fn('check_availability', { ...args, dienstleistung: 'Damenhaarschnitt', uhrzeit: '14:30' });
  assert.equal(damen.body.available, false);
  const book = await caller.fn('book_appointment', { ...args, name: 'Zu spät' });
  assert.equal(book.body.error, 'slot_no_longer_available');

  // cancelled on the Cal.com page: the appointment follows and the time is offered again
  h.sim.control.cancelExternalBooking(uid, 'Kundin hat abgesagt');
  await waitFor(() => byUid(uid)?.status === 'cancelled', 'the cancellation to reach the appointment');
  const again = await caller.fn('check_availability', args);
  assert.equal(again.body.available, true);
});

/** A Cal.com BOOKING_CREATED body as the simulator (and Cal.com) send it. */
function bookingCreated(uid: string, startMs: number): string {
  return JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload: {
      uid,
      bookingId: 4242,
      eventTypeId: 1001,
      startTime: iso(startMs),
      endTime: iso(startMs + 30 * 60_000),
      status: 'ACCEPTED',
      metadata: {},
      attendees: [{ name: 'Webhook Kunde', email: 'wk@example.de', timeZone: 'Europe/Berlin' }],
    },
  });
}

const postCal = (raw: string, signature?: string) =>
  request(`${h.url}/calcom/webhook`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...(signature && { 'x-cal-signature-256': signature }) } });

test('a Cal.com webhook with a tampered body, a wrong secret or no signature is 401 and changes nothing', async () => {
  const day = workdayAhead(4);
  // A booking staff made in Cal.com (its own webhook held back, so only the ones below arrive).
  h.sim.control.setWebhook(null);
  const uid = String(h.sim.control.createExternalBooking({ eventTypeId: 1001, start: at(day, '11:00'), attendee: { name: 'Webhook Kunde', email: 'wk@example.de' } }).uid);
  h.sim.control.setWebhook({ url: `${h.url}/calcom/webhook`, secret: CAL_SECRET });
  const raw = bookingCreated(uid, at(day, '11:00'));
  const signature = signCalPayload(raw, CAL_SECRET);
  const tampered = raw.replace(iso(at(day, '11:00')), iso(at(day, '12:00')));
  assert.notEqual(tampered, raw);

  for (const [body, sig] of [
    [tampered, signature],
    [raw, signCalPayload(raw, 'another-secret')],
    [raw, undefined],
    [raw, 'no-secret-provided'],
    [raw, signature.toUpperCase().replace(/^./, 'g')],
  ] as const) {
    const res = await postCal(body, sig);
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json?.error, 'invalid_signature');
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // a wrongly accepted one would be reconciled by now
  assert.equal(byUid(uid), undefined, 'no appointment from a refused webhook');

  // the untampered body with its signature is accepted and recorded
  const ok = await postCal(raw, signature);
  assert.equal(ok.status, 202, ok.text);
  const row = await waitFor(() => byUid(uid), 'the signed webhook to be reconciled');
  assert.equal(row.start_utc, at(day, '11:00'));
  assert.equal(row.origin, 'calcom');
  // delivered twice (Cal.com retries): still one appointment
  assert.equal((await postCal(raw, signature)).status, 202);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(count(h.db, 'appointments', 'calcom_uid = ?', uid), 1);
});

test('signed Cal.com webhooks the service does not handle are acknowledged and ignored; bad shapes are 400', async () => {
  const before = count(h.db, 'appointments');
  const ping = JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: {} });
  const res = await postCal(ping, signCalPayload(ping, CAL_SECRET));
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { success: true, ignored: 'PING' });
  const foreign = bookingCreated(`ext_${randomUUID()}`, at(workdayAhead(4), '13:00')).replace('"eventTypeId":1001', '"eventTypeId":9999');
  assert.equal((await postCal(foreign, signCalPayload(foreign, CAL_SECRET))).json?.ignored, 'BOOKING_CREATED');
  const broken = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { uid: 'x', eventTypeId: 'one', startTime: 'soon' } });
  const bad = await postCal(broken, signCalPayload(broken, CAL_SECRET));
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json?.error, 'invalid_payload');
  const notJson = 'triggerEvent=BOOKING_CREATED';
  assert.equal((await postCal(notJson, signCalPayload(notJson, CAL_SECRET))).json?.error, 'malformed_json');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(count(h.db, 'appointments'), before);
});
