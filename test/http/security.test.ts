// Issue 12, tried from outside as a hostile caller or a careless integration would, with two salons
// in one catalog: nothing unsigned decides tenant, call, caller or function; callers act only on
// their own appointments; Cal.com webhooks apply only when they agree with the store; command ids
// are per company; of two concurrent changes of one appointment exactly one wins; placeholder
// values are refused. Every attack must change nothing and reveal nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { DateTime } from 'luxon';
import { signCalPayload } from '../../src/calcom/signature.ts';
import { signRetellBody } from '../../src/retell/signature.ts';
import {
  at,
  count,
  germanDate,
  iso,
  looksGerman,
  mobile,
  OTHER_SALON,
  OTHER_SALON_NUMBER,
  request,
  sampleValue,
  SALON_NUMBER,
  startServiceHarness,
  twoCompanyCatalog,
  workdayAhead,
  type ServiceHarness,
} from '../helpers/service.ts';

const CAL_SECRET = 'whsec_security_test';
/** The token of salon-weber's args-only agent URL (the catalog holds only its hash). */
const TOOL_TOKEN = 'weber-agent-url-token-0123456789';

let h: ServiceHarness;
let D: DateTime;

before(async () => {
  const catalog = twoCompanyCatalog();
  catalog.companies.find((c) => c.id === OTHER_SALON)!.retellToolTokens = [createHash('sha256').update(TOOL_TOKEN).digest('hex')];
  h = await startServiceHarness({ catalog, env: { CALCOM_WEBHOOK_SECRET: CAL_SECRET } });
  D = workdayAhead(5);
});
after(() => h?.stop());

const HERREN = 'Herrenhaarschnitt';

/** POSTs exactly these bytes with exactly this signature header. */
const send = (path: string, raw: string, signature: string, headers: Record<string, string> = {}) =>
  request(`${h.url}${path}`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-retell-signature': signature, ...headers } });

const row = (id: number) => h.db.prepare('SELECT * FROM appointments WHERE id = ?').get(id) as Record<string, any> | undefined;
const simStatus = (uid: string) => (h.sim.control.bookings().find((b) => b.uid === uid) as { status: string } | undefined)?.status;

async function bookFor(phone: string, time: string, name: string, to = SALON_NUMBER) {
  const res = await h.caller(phone, { to }).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: time, name, email: 'kunde@example.de' });
  assert.equal(res.body.success, true, res.body.message);
  return res.body.appointment_id as number;
}

test('a signed body replayed — to another function, another route, with other headers — is refused and does nothing', async () => {
  const victim = mobile(801);
  const victimId = await bookFor(victim, '09:30', 'Vera Opfer', OTHER_SALON_NUMBER);
  const uid = row(victimId)!.calcom_uid as string;

  // A harmless signed call at salon A…
  const raw = JSON.stringify({ call: { call_id: 'call_harmless', from_number: mobile(802), to_number: SALON_NUMBER, direction: 'inbound' }, name: 'list_services', args: {} });
  const signature = signRetellBody(raw, h.service.retellApiKey);
  assert.equal((await send('/retell/function', raw, signature)).json?.success, true);
  // …replayed inside its validity window anywhere else is a 401, whatever the headers say.
  const victimHeaders = { 'x-retell-call-id': 'call_evil', 'x-retell-to-number': OTHER_SALON_NUMBER, 'x-retell-from-number': victim };
  for (const path of ['/retell/function', '/retell/functions/check_customer', '/retell/functions/cancel_appointment', `/retell/agents/${TOOL_TOKEN}/functions/cancel_appointment`]) {
    const res = await send(path, raw, signature, victimHeaders);
    assert.equal(res.status, 401, `${path}: ${res.text}`);
    assert.equal(res.json?.error, 'replayed_signature');
    assert.doesNotMatch(res.text, /Vera|Opfer/);
  }

  // A signed args-only body of its own carries no call: headers cannot supply one.
  const argsOnly = JSON.stringify({});
  const fresh = await send('/retell/functions/cancel_appointment', argsOnly, signRetellBody(argsOnly, h.service.retellApiKey), victimHeaders);
  assert.equal(fresh.status, 200);
  assert.equal(fresh.json?.error, 'missing_call');
  assert.equal(row(victimId)!.status, 'booked', "the victim's appointment is untouched");
  assert.equal(simStatus(uid), 'accepted');
});

test('args-only mode: the agent URL token names the tenant; without a caller, changes need proof and reveal nothing', async () => {
  const path = (name: string) => `/retell/agents/${TOOL_TOKEN}/functions/${name}`;
  const signedSend = (name: string, args: Record<string, unknown>) => {
    const raw = JSON.stringify(args);
    return send(path(name), raw, signRetellBody(raw, h.service.retellApiKey), { 'x-retell-to-number': SALON_NUMBER });
  };
  // The token is salon-weber's, whatever a header claims.
  const services = await signedSend('list_services', {});
  assert.equal(services.json?.success, true, services.text);
  assert.ok(services.json?.services.every((s: { id: string }) => ['herrenhaarschnitt', 'damenhaarschnitt'].includes(s.id)));
  // An unknown token is refused without naming anything.
  const raw = JSON.stringify({});
  const unknown = await send('/retell/agents/not-a-real-token-000000/functions/list_services', raw, signRetellBody(raw, h.service.retellApiKey));
  assert.equal(unknown.json?.error, 'unknown_tenant');

  const owner = mobile(803);
  const id = await bookFor(owner, '10:30', 'Otto Eigner', OTHER_SALON_NUMBER);
  const peek = await signedSend('check_customer', { telefon: owner });
  assert.equal(peek.json?.error, 'not_verifiable');
  assert.doesNotMatch(peek.text, /Otto|Eigner|10:30/);
  const cancel = await signedSend('cancel_appointment', { telefon: owner });
  assert.equal(cancel.json?.error, 'verification_required');
  assert.equal(row(id)!.status, 'booked');
  // With the name on the appointment and its day, the request is the owner's.
  const proven = await signedSend('cancel_appointment', { telefon: owner, name: 'Eigner', datum: germanDate(D) });
  assert.equal(proven.json?.success, true, proven.text);
  assert.equal(row(id)!.status, 'cancelled');
});

test("within one salon a caller neither sees nor changes another customer's appointment without proof", async () => {
  const owner = mobile(811);
  const stranger = h.caller(mobile(812));
  const id = await bookFor(owner, '11:00', 'Paula Privat');
  const uid = row(id)!.calcom_uid as string;

  const looked = await stranger.fn('check_customer', { telefon: owner });
  assert.equal(looked.body.success, false);
  assert.equal(looked.body.error, 'not_verifiable');
  assert.ok(looksGerman(looked.body.message));
  assert.doesNotMatch(JSON.stringify(looked.body), /Paula|Privat|11 Uhr|@/);
  // …and the answer is the same for a number nobody is known under.
  const nobody = await stranger.fn('check_customer', { telefon: mobile(899) });
  assert.equal(nobody.body.message, looked.body.message);

  for (const [name, args] of [
    ['cancel_appointment', { termin_id: id }],
    ['cancel_appointment', { telefon: owner }],
    ['reschedule_appointment', { termin_id: id, neues_datum: germanDate(D), neue_uhrzeit: '16:00' }],
    ['cancel_appointment', { termin_id: id, name: 'Paula Falsch', datum: germanDate(D) }],
    ['cancel_appointment', { termin_id: id, name: 'Privat' }],
  ] as const) {
    const res = await stranger.fn(name, args);
    assert.equal(res.body.success, false, `${name} ${JSON.stringify(args)}: ${res.body.message}`);
    assert.equal(res.body.error, 'verification_required');
    assert.doesNotMatch(JSON.stringify(res.body), /Paula|Privat|11 Uhr/);
  }
  // An id that does not exist gets the very same answer as one that is not yours.
  const missing = await stranger.fn('cancel_appointment', { termin_id: 999_999 });
  const notYours = await stranger.fn('cancel_appointment', { termin_id: id });
  assert.equal(missing.body.message, notYours.body.message);
  assert.deepEqual(
    { status: row(id)!.status, start: row(id)!.start_utc, calcom: simStatus(uid) },
    { status: 'booked', start: at(D, '11:00'), calcom: 'accepted' },
    'nothing changed',
  );

  // Proof of knowledge (the name on it and its day) lets a caller from another phone act.
  const proven = await stranger.fn('cancel_appointment', { termin_id: id, name: 'Paula Privat', datum: germanDate(D) });
  assert.equal(proven.body.success, true, proven.body.message);
  assert.equal(row(id)!.status, 'cancelled');
});

test('a Cal.com webhook that names one salon’s event type with another salon’s booking changes nothing', async () => {
  const id = await bookFor(mobile(821), '12:00', 'Anna A');
  const uid = row(id)!.calcom_uid as string;
  const before = await (await fetch(`${h.url}/metrics`)).text();
  const raw = JSON.stringify({
    triggerEvent: 'BOOKING_CANCELLED',
    createdAt: new Date().toISOString(),
    payload: { uid, eventTypeId: 2001, startTime: iso(at(D, '12:00')), endTime: iso(at(D, '12:30')), status: 'CANCELLED' },
  });
  const res = await request(`${h.url}/calcom/webhook`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalPayload(raw, CAL_SECRET) } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json?.reason, 'company_mismatch');
  const metrics = await (await fetch(`${h.url}/metrics`)).text();
  assert.equal(sampleValue(metrics, 'calcom_webhooks_refused_total', { reason: 'company_mismatch' }), sampleValue(before, 'calcom_webhooks_refused_total', { reason: 'company_mismatch' }) + 1);

  // Even with the right event type, a cancel that Cal.com itself does not confirm is not applied.
  const forged = raw.replace('"eventTypeId":2001', '"eventTypeId":1001');
  assert.equal((await request(`${h.url}/calcom/webhook`, { method: 'POST', body: forged, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalPayload(forged, CAL_SECRET) } })).status, 202);
  await h.sim.control.flushWebhooks();
  await new Promise((resolve) => setTimeout(resolve, 300)); // a wrongly applied cancel would be reconciled by now
  assert.equal(row(id)!.status, 'booked');
  assert.equal(simStatus(uid), 'accepted');
});

test('command ids are per company: the same call id and args at two salons book at each', async () => {
  const args = { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '14:00', name: 'Gleich Name', email: 'gleich@example.de' };
  const a = await h.caller(mobile(831), { callId: 'call_same_id', to: SALON_NUMBER }).fn('book_appointment', args);
  const b = await h.caller(mobile(831), { callId: 'call_same_id', to: OTHER_SALON_NUMBER }).fn('book_appointment', args);
  assert.equal(a.body.success, true, a.body.message);
  assert.equal(b.body.success, true, b.body.message);
  assert.notEqual(a.body.appointment_id, b.body.appointment_id);
  assert.equal(row(a.body.appointment_id)!.company_id, 'salon-schmidt');
  assert.equal(row(b.body.appointment_id)!.company_id, OTHER_SALON);
  assert.equal(row(b.body.appointment_id)!.event_type_id, 2001);
  assert.equal(simStatus(row(b.body.appointment_id)!.calcom_uid), 'accepted');
});

test('cancel and reschedule of one appointment at the same moment: exactly one succeeds, the other is told the truth', async () => {
  h.sim.control.setLatency('*', { kind: 'uniform', minMs: 50, maxMs: 500 });
  try {
    const later = workdayAhead(9);
    for (let pair = 0; pair < 6; pair++) {
      const phone = mobile(840 + pair);
      const id = await bookFor(phone, `${10 + pair}:30`, `Paar ${pair}`);
      const [cancel, move] = await Promise.all([
        h.caller(phone).fn('cancel_appointment', { termin_id: id }),
        h.caller(phone).fn('reschedule_appointment', { termin_id: id, neues_datum: germanDate(later), neue_uhrzeit: `${10 + pair}:00` }),
      ]);
      const wins = [cancel.body, move.body].filter((b) => b.success);
      assert.equal(wins.length, 1, `pair ${pair}: ${cancel.body.message} | ${move.body.message}`);
      const loser = [cancel.body, move.body].find((b) => !b.success)!;
      assert.ok(!['calcom_error', 'technical_error'].includes(loser.error), `pair ${pair} loser: ${JSON.stringify(loser)}`);
      assert.ok(looksGerman(loser.message));
      // What the winner said is what is true.
      const live = h.db.prepare("SELECT * FROM appointments WHERE customer_phone = ? AND status IN ('booked', 'pending')").all(phone) as Array<Record<string, any>>;
      if (cancel.body.success) assert.equal(live.length, 0, `pair ${pair}: cancelled, nothing lives on`);
      else assert.deepEqual(live.map((r) => r.start_utc), [at(later, `${10 + pair}:00`)], `pair ${pair}: moved`);
    }
  } finally {
    h.sim.control.setLatency('*', { kind: 'none' });
  }
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
});

test('values that mean "unknown" are refused with a code and a German sentence, and nothing is booked', async () => {
  const before = { rows: count(h.db, 'appointments'), bookings: h.sim.control.bookings().length };
  const caller = h.caller(mobile(851));
  const base = { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '15:30', name: 'Echt Name' };
  for (const [field, value] of [
    ['uhrzeit', '-1'],
    ['uhrzeit', '- 5'],
    ['uhrzeit', -1],
    ['name', 'null'],
    ['name', 'undefined'],
    ['name', 'unknown'],
    ['name', 'N/A'],
    ['name', 'string'],
    ['name', 'none'],
    ['name', '   '],
    ['datum', 'unknown'],
    ['dienstleistung', 'N/A'],
  ] as const) {
    const res = await caller.fn('book_appointment', { ...base, [field]: value });
    assert.equal(res.body.success, false, `${field}=${JSON.stringify(value)}: ${res.body.message}`);
    assert.match(res.body.error, /^(unknown_value|missing_\w+|invalid_name)$/, `${field}=${JSON.stringify(value)}`);
    assert.ok(looksGerman(res.body.message), res.body.message);
  }
  const far = await caller.fn('book_appointment', { ...base, datum: '31.12.9999' });
  assert.equal(far.body.error, 'beyond_horizon');
  assert.equal(count(h.db, 'appointments'), before.rows);
  assert.equal(h.sim.control.bookings().length, before.bookings);
});

test('numbers out of range and incomplete Cal.com or /api bodies are refused at the door (400), never accepted and dropped', async () => {
  const costly = JSON.stringify({ event: 'call_ended', call: { call_id: 'call_costly', to_number: SALON_NUMBER, call_cost: { combined_cost: 1e308 } } });
  const res = await send('/retell/webhook', costly, signRetellBody(costly, h.service.retellApiKey));
  assert.equal(res.status, 400, res.text);
  assert.equal(count(h.db, 'calls', 'call_id = ?', 'call_costly'), 0);

  const backwards = JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    payload: { uid: 'ext_backwards', eventTypeId: 1001, startTime: iso(at(D, '17:00')), endTime: iso(at(D, '16:30')) },
  });
  const cal = await request(`${h.url}/calcom/webhook`, { method: 'POST', body: backwards, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalPayload(backwards, CAL_SECRET) } });
  assert.equal(cal.status, 400, cal.text);
  assert.match(cal.text, /endTime/);

  const past = JSON.stringify({ serviceId: 'herrenhaarschnitt', start: new Date(Date.now() - 3_600_000).toISOString(), customer: { name: 'Alt', email: 'alt@example.de' }, requestId: 'sec-past' });
  const api = await request(`${h.url}/api/appointments`, { method: 'POST', body: past, headers: { 'content-type': 'application/json', authorization: 'Bearer weber-customer-token' } });
  assert.equal(api.status, 400, api.text);
  assert.equal(api.json?.error, 'start_in_past');
  // A meeting event has no payload at all and is simply acknowledged.
  const meeting = JSON.stringify({ triggerEvent: 'MEETING_ENDED', createdAt: new Date().toISOString() });
  const ended = await request(`${h.url}/calcom/webhook`, { method: 'POST', body: meeting, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalPayload(meeting, CAL_SECRET) } });
  assert.equal(ended.status, 200, ended.text);
});
