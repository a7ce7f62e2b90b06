// Bad input over HTTP: every mistake is a 4xx or a `success: false` reply with a clear error
// code and a German sentence — never a 500 — and a refused request changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHmac } from 'node:crypto';
import { DateTime } from 'luxon';
import { signRetellBody } from '../../src/retell/signature.ts';
import {
  at,
  count,
  germanDate,
  looksGerman,
  mobile,
  OTHER_SALON_NUMBER,
  request,
  SALON_NUMBER,
  startServiceHarness,
  twoCompanyCatalog,
  workdayAhead,
  type ServiceHarness,
} from '../helpers/service.ts';

let h: ServiceHarness;
let D: DateTime;

before(async () => {
  h = await startServiceHarness({ catalog: twoCompanyCatalog() });
  D = workdayAhead(4);
});
after(() => h?.stop());

const HERREN = 'Herrenhaarschnitt';
const call = (overrides: Record<string, unknown> = {}) => ({ call_id: `call_err_${Math.random().toString(36).slice(2)}`, from_number: mobile(500), to_number: SALON_NUMBER, ...overrides });

/** POSTs raw text, signed for that text unless a signature header is given. */
function post(path: string, raw: string, headers: Record<string, string> = {}) {
  return request(`${h.url}${path}`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(raw, h.service.retellApiKey), ...headers },
  });
}

/** A structured refusal: `success: false`, a snake_case code, a message. */
function assertRefusal(res: { status: number; json: Record<string, any> | undefined; text: string }, status: number, error: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.success, false, res.text);
  assert.equal(res.json?.error, error, res.text);
  assert.ok(typeof res.json?.message === 'string' && res.json.message.length > 0, res.text);
}

/** A function reply the agent can speak: HTTP 200, success false, the code, a German sentence. */
async function assertSpokenFailure(name: string, args: Record<string, unknown>, error: string, from = mobile(501)) {
  const { status, body } = await h.caller(from).fn(name, args);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.success, false, JSON.stringify(body));
  assert.equal(body.error, error, JSON.stringify(body));
  assert.ok(looksGerman(body.message), `German message: ${body.message}`);
  return body;
}

test('missing and unusable arguments are answered with a code and a German question', async () => {
  const before = { appointments: count(h.db, 'appointments'), bookings: h.sim.control.bookings().length };
  const day = germanDate(D);
  await assertSpokenFailure('book_appointment', { datum: day, uhrzeit: '10:00', name: 'Max' }, 'missing_service');
  await assertSpokenFailure('check_availability', { datum: day }, 'missing_service');
  const unknown = await assertSpokenFailure('book_appointment', { dienstleistung: 'Pediküre', datum: day, uhrzeit: '10:00', name: 'Max' }, 'unknown_service');
  assert.match(unknown.message, /Herrenhaarschnitt/, 'names what can be booked');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, name: 'Max' }, 'missing_time');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, uhrzeit: '10:00', name: 'Max' }, 'missing_date');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: '01.01.2020', uhrzeit: '10:00', name: 'Max' }, 'date_in_past');
  await assertSpokenFailure('check_availability', { dienstleistung: HERREN, datum: 'gestern' }, 'date_in_past');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: '31.02.2030', uhrzeit: '10:00', name: 'Max' }, 'invalid_date');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: '99.99.9999', uhrzeit: '10:00', name: 'Max' }, 'unparseable_date');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, uhrzeit: '25:99', name: 'Max' }, 'unparseable_time');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, uhrzeit: '10:00', name: '  <> ' }, 'unknown_value');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, uhrzeit: '10:00', name: '§§ 42' }, 'invalid_name');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, uhrzeit: '10:00', name: 'Max', telefon: '12' }, 'invalid_phone');
  await assertSpokenFailure('book_appointment', { dienstleistung: HERREN, datum: day, uhrzeit: '10:00', name: 'Max', email: 'max at nirgends' }, 'invalid_email');
  // An id nobody may act on is answered as one that does not exist: the same request for proof.
  await assertSpokenFailure('cancel_appointment', { termin_id: 'abc' }, 'verification_required');
  await assertSpokenFailure('cancel_appointment', { termin_id: 987654 }, 'verification_required');
  await assertSpokenFailure('reschedule_appointment', { termin_id: 987654, neues_datum: day, neue_uhrzeit: '10:00' }, 'verification_required');
  await assertSpokenFailure('check_customer', { telefon: 'keine Ahnung' }, 'invalid_phone');
  // wrong types in args are ignored like missing ones, not a crash
  await assertSpokenFailure('book_appointment', { dienstleistung: { name: HERREN }, datum: [day], uhrzeit: true, name: 5 }, 'missing_service');
  assert.equal(count(h.db, 'appointments'), before.appointments, 'nothing was written');
  assert.equal(h.sim.control.bookings().length, before.bookings, 'nothing was booked');
});

test('malformed JSON or a wrong shape: a spoken refusal (200) for function calls, 400 for webhooks', async () => {
  assertRefusal(await post('/retell/function', '{"call": {'), 200, 'malformed_json');
  assertRefusal(await post('/retell/function', ''), 200, 'malformed_json');
  assertRefusal(await post('/retell/webhook', 'call_started'), 400, 'malformed_json');
  assertRefusal(await post('/retell/functions/list_services', 'name=list_services', { 'content-type': 'application/x-www-form-urlencoded' }), 200, 'malformed_json');
  assertRefusal(await post('/retell/function', JSON.stringify({ name: 'list_services' })), 200, 'invalid_payload');
  assertRefusal(await post('/retell/function', JSON.stringify({ call: call(), name: 'list_services', args: 'x' })), 200, 'invalid_payload');
  assertRefusal(await post('/retell/function', JSON.stringify({ call: call(), name: '', args: {} })), 200, 'invalid_payload');
  assertRefusal(await post('/retell/function', JSON.stringify([1, 2, 3])), 200, 'invalid_payload');
  assertRefusal(await post('/retell/function', JSON.stringify({ call: call({ call_id: 'x'.repeat(201) }), name: 'list_services' })), 200, 'invalid_payload');
  assertRefusal(await post('/retell/functions/list_services', JSON.stringify({ call: 'call_1' })), 200, 'invalid_call');
  assertRefusal(await post('/retell/functions/list_services', JSON.stringify({ datum: 'morgen' })), 200, 'missing_call');
  assertRefusal(await post('/retell/webhook', JSON.stringify({ event: 'call_started', call: { call_id: 'c', start_timestamp: -5 } })), 400, 'invalid_call');
  const res = await post('/retell/function', JSON.stringify({ call: call(), name: 'list_services', args: [] }));
  assertRefusal(res, 200, 'invalid_payload');
  assert.deepEqual(res.json?.details, [{ path: 'args', message: res.json?.details[0].message }], 'names the bad field');
  // the same body, well formed, is accepted: the refusals above were about the shape
  const ok = await post('/retell/function', JSON.stringify({ call: call(), name: 'list_services', args: {} }));
  assert.equal(ok.status, 200);
  assert.equal(ok.json?.success, true);
});

test('a refused function call still gives the agent a German sentence; the reason is in detail', async () => {
  const cases = [
    [await post('/retell/function', '{"call": {'), 200, 'malformed_json', /not valid JSON/],
    [await post('/retell/functions/book_a_table', JSON.stringify({ call: call() })), 200, 'unknown_function', /book_a_table/],
    [await post('/retell/function', JSON.stringify({ call: call(), name: 'list_services', args: [] })), 200, 'invalid_payload', /args/],
  ] as const;
  for (const [res, status, error, reason] of cases) {
    assertRefusal(res, status, error);
    assert.ok(looksGerman(res.json?.message), `spoken: ${res.json?.message}`);
    assert.match(res.json?.detail, reason);
  }
  // call events are not spoken: the webhook keeps its reason as the message
  const webhook = await post('/retell/webhook', 'call_started');
  assertRefusal(webhook, 400, 'malformed_json');
  assert.equal(webhook.json?.message, 'request body is not valid JSON');
});

test('Retell bodies are read up to their own (megabyte) limits; Cal.com webhooks stop at BODY_LIMIT_BYTES (64 KiB)', async () => {
  const big = JSON.stringify({ call: call(), name: 'list_services', args: { notiz: 'x'.repeat(200 * 1024) } });
  assert.equal((await post('/retell/function', big)).json?.success, true);
  const started = await post('/retell/webhook', JSON.stringify({ event: 'call_started', call: call(), pad: 'ü'.repeat(100_000) }));
  assert.equal(started.status, 200, started.text);
  assertRefusal(await request(`${h.url}/calcom/webhook`, { method: 'POST', body: 'y'.repeat(70_000), headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
});

test('a wrong, missing, tampered or expired Retell signature is 401 and nothing is processed', async () => {
  const key = h.service.retellApiKey;
  const theCall = call({ from_number: mobile(510) });
  const book = JSON.stringify({ call: theCall, name: 'book_appointment', args: { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '10:00', name: 'Unsigned' } });
  const started = JSON.stringify({ event: 'call_started', call: { ...theCall, start_timestamp: Date.now() } });
  const stamp = Date.now() - 6 * 60_000;
  const expired = (raw: string) => `v=${stamp},d=${createHmac('sha256', key).update(raw + stamp).digest('hex')}`;
  const signatures: Array<[string, (raw: string) => string | undefined]> = [
    ['missing', () => undefined],
    ['garbage', () => 'not-a-signature'],
    ['other key', (raw) => signRetellBody(raw, 'someone-elses-key')],
    ['other body', () => signRetellBody('{}', key)],
    ['expired', expired],
    ['from the future', (raw) => signRetellBody(raw, key, Date.now() + 6 * 60_000)],
    ['digest cut', (raw) => signRetellBody(raw, key).slice(0, -2)],
  ];
  const before = { appointments: count(h.db, 'appointments'), calls: count(h.db, 'calls'), bookings: h.sim.control.bookings().length };
  for (const [what, sign] of signatures) {
    for (const [path, raw] of [['/retell/function', book], ['/retell/webhook', started], ['/retell/functions/book_appointment', book]] as const) {
      const signature = sign(raw);
      const res = await request(`${h.url}${path}`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...(signature !== undefined && { 'x-retell-signature': signature }) } });
      assert.equal(res.status, 401, `${what} signature on ${path}: ${res.text}`);
      assertRefusal(res, 401, 'invalid_signature');
    }
  }
  assert.equal(count(h.db, 'appointments'), before.appointments, 'no appointment');
  assert.equal(count(h.db, 'calls'), before.calls, 'no call row');
  assert.equal(count(h.db, 'calls', 'call_id = ?', theCall.call_id), 0);
  assert.equal(h.sim.control.bookings().length, before.bookings, 'no Cal.com booking');

  // the very same requests, properly signed, go through
  assert.equal((await post('/retell/webhook', started)).status, 200);
  assert.equal(count(h.db, 'calls', 'call_id = ?', theCall.call_id), 1);
  const booked = await post('/retell/function', book);
  assert.equal(booked.json?.success, true, booked.text);
  assert.equal(h.sim.control.bookings().length, before.bookings + 1);
});

test('a call to a number that belongs to no business is refused as unknown_tenant (tenant never comes from args or headers)', async () => {
  const stranger = call({ to_number: '+4940999999', agent_id: 'agent_unknown' });
  const before = count(h.db, 'appointments');
  for (const [name, args] of [
    ['list_services', {}],
    ['book_appointment', { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '11:00', name: 'Fremd', company: 'salon-schmidt', companyId: 'salon-schmidt' }],
    ['cancel_appointment', { termin_id: 1 }],
  ] as const) {
    const res = await post('/retell/function', JSON.stringify({ call: stranger, name, args }));
    assertRefusal(res, 200, 'unknown_tenant');
    assert.ok(looksGerman(res.json?.message));
  }
  // unsigned headers name no call and no tenant
  const viaHeaders = await post('/retell/functions/list_services', '{}', { 'x-retell-call-id': 'c_h', 'x-retell-to-number': SALON_NUMBER });
  assertRefusal(viaHeaders, 200, 'missing_call');
  assert.equal(count(h.db, 'appointments'), before);
  // the agent id identifies the business when the number does not
  const byAgent = await post('/retell/function', JSON.stringify({ call: call({ to_number: null, agent_id: 'agent_salon_schmidt' }), name: 'list_services', args: {} }));
  assert.equal(byAgent.status, 200);
});

test("a caller of one salon cannot see, cancel or move another salon's appointment", async () => {
  const phone = mobile(520);
  const a = await h.caller(phone).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '12:00', name: 'Anna A' });
  assert.equal(a.body.success, true, a.body.message);
  const id = a.body.appointment_id as number;
  const uid = (h.db.prepare('SELECT calcom_uid FROM appointments WHERE id = ?').get(id) as { calcom_uid: string }).calcom_uid;

  const b = h.caller(phone, { to: OTHER_SALON_NUMBER });
  const cancel = await b.fn('cancel_appointment', { termin_id: id });
  assert.equal(cancel.body.error, 'verification_required', 'the same answer as for an id that does not exist');
  const cancelByPhone = await b.fn('cancel_appointment', {});
  assert.equal(cancelByPhone.body.error, 'appointment_not_found', 'the same phone number has no appointment at salon B');
  const move = await b.fn('reschedule_appointment', { termin_id: id, neues_datum: germanDate(D), neue_uhrzeit: '13:00' });
  assert.equal(move.body.success, false);
  assert.equal(move.body.error, 'verification_required');
  const known = await b.fn('check_customer', {});
  assert.equal(known.body.known, false, 'customers are per salon');

  const row = h.db.prepare('SELECT status, start_utc FROM appointments WHERE id = ?').get(id) as { status: string; start_utc: number };
  assert.deepEqual(row, { status: 'booked', start_utc: at(D, '12:00') }, "A's appointment is untouched");
  assert.equal((h.sim.control.bookings().find((x) => x.uid === uid) as { status: string }).status, 'accepted');

  // salon B books its own calendar (its own event type), even at the same time
  const own = await b.fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '12:00', name: 'Bernd B', email: 'bernd@example.de' });
  assert.equal(own.body.success, true, own.body.message);
  const ownRow = h.db.prepare('SELECT company_id, event_type_id FROM appointments WHERE id = ?').get(own.body.appointment_id);
  assert.deepEqual(ownRow, { company_id: 'salon-weber', event_type_id: 2001 });
  // and A's id is A's: B's cancel of its own id works, A's stays booked
  assert.equal((await b.fn('cancel_appointment', { termin_id: own.body.appointment_id })).body.success, true);
  assert.equal((h.db.prepare('SELECT status FROM appointments WHERE id = ?').get(id) as { status: string }).status, 'booked');
});

test('an unknown function is a spoken refusal with the list of known ones', async () => {
  const res = await post('/retell/function', JSON.stringify({ call: call(), name: 'book_a_table', args: {} }));
  assertRefusal(res, 200, 'unknown_function');
  const known: string[] = res.json?.details.known;
  for (const name of ['check_customer', 'check_availability', 'book_appointment', 'cancel_appointment', 'reschedule_appointment', 'get_alternatives', 'list_services', 'check_availability_v17', 'start_booking']) {
    assert.ok(known.includes(name), `${name} is listed`);
  }
  assertRefusal(await post('/retell/functions/book_a_table', JSON.stringify({ call: call() })), 200, 'unknown_function');
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assertRefusal(await post('/retell/function', JSON.stringify({ call: call(), name, args: {} })), 200, 'unknown_function');
  }
});

test('a wrong HTTP method on a known route is 405 naming the allowed ones; an unknown route is 404', async () => {
  for (const [method, path, allowed] of <Array<[string, string, string]>>[
    ['GET', '/retell/function', 'POST'],
    ['PUT', '/retell/function', 'POST'],
    ['GET', '/retell/functions/list_services', 'POST'],
    ['DELETE', '/retell/webhook', 'POST'],
    ['GET', '/calcom/webhook', 'POST'],
    ['POST', '/healthz', 'GET'],
    ['POST', '/readyz', 'GET'],
    ['PUT', '/metrics', 'GET'],
    ['POST', '/api/stats/calls', 'GET'],
  ]) {
    const res = await request(`${h.url}${path}`, { method });
    assertRefusal(res, 405, 'method_not_allowed');
    assert.ok(res.headers.get('allow')?.split(', ').includes(allowed), `${method} ${path}: Allow ${res.headers.get('allow')}`);
    assert.ok(!res.headers.get('allow')?.split(', ').includes(method), `${method} is not offered for ${path}`);
  }
  assertRefusal(await request(`${h.url}/retell/function`, { method: 'PROPFIND' }), 501, 'not_implemented');
  for (const [method, path] of [
    ['GET', '/'],
    ['POST', '/retell'],
    ['POST', '/retell/functions'],
    ['GET', '/api/nothing'],
    ['POST', '/calcom/webhooks'],
  ]) {
    assertRefusal(await request(`${h.url}${path}`, { method }), 404, 'not_found');
  }
});

test('no bad request above left a 5xx, a booking or a double booking behind', async () => {
  const health = await request(`${h.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
  // the only live bookings are the ones the tests meant to make
  const live = h.db.prepare("SELECT start_utc, company_id FROM appointments WHERE status = 'booked' ORDER BY company_id, start_utc").all();
  assert.deepEqual(live, [
    { start_utc: at(D, '10:00'), company_id: 'salon-schmidt' },
    { start_utc: at(D, '12:00'), company_id: 'salon-schmidt' },
  ]);
});

test(
  'two changes of one appointment at the same time: the one that loses gets a business answer, not a technical error',
  async () => {
    const day = workdayAhead(6);
    const later = workdayAhead(8);
    const booked = await h.caller(mobile(530)).fn('book_appointment', { dienstleistung: HERREN, datum: germanDate(D), uhrzeit: '15:00', name: 'Doppelt' });
    assert.equal(booked.body.success, true, booked.body.message);
    const id = booked.body.appointment_id;
    const [a, b] = await Promise.all([
      h.caller(mobile(530)).fn('reschedule_appointment', { termin_id: id, neues_datum: germanDate(day), neue_uhrzeit: '15:00' }),
      h.caller(mobile(530)).fn('reschedule_appointment', { termin_id: id, neues_datum: germanDate(later), neue_uhrzeit: '15:00' }),
    ]);
    const bodies = [a.body, b.body];
    assert.equal(bodies.filter((x) => x.success).length, 1, 'one of them moves it');
    const loser = bodies.find((x) => !x.success)!;
    assert.ok(!['calcom_error', 'technical_error'].includes(loser.error), `the other is told why: ${JSON.stringify(loser)}`);
    assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
  },
);
