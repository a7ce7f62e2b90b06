// Health, readiness and the company-scoped /api over HTTP: call statistics per token role
// (each role sees its own cost column), appointments of the token's company only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import { SIM_OPERATIONS } from '../../src/simulator/index.ts';
import {
  at,
  germanDate,
  iso,
  mobile,
  OTHER_SALON_NUMBER,
  OTHER_SALON_TOKEN,
  request,
  SALON,
  startServiceHarness,
  twoCompanyCatalog,
  workdayAhead,
  ZONE,
  type ServiceHarness,
} from '../helpers/service.ts';

let h: ServiceHarness;
/** A past local day the statistics are asked for (no midnight races with "today"). */
const statsDay = DateTime.now().setZone(ZONE).startOf('day').minus({ days: 2 });
const statsDate = statsDay.toISODate()!;
let bookedDay: DateTime;
let bookedId: number;
let bookedCallId: string;

const TOKENS = { customer: 'demo-customer-token', reseller: 'demo-reseller-token', admin: 'demo-admin-token' } as const;
const get = (path: string, token?: string, scheme = 'Bearer') => request(`${h.url}${path}`, { headers: token === undefined ? {} : { authorization: `${scheme} ${token}` } });

before(async () => {
  h = await startServiceHarness({ catalog: twoCompanyCatalog() });
  bookedDay = workdayAhead(3);

  // Salon Schmidt: one call that booked (10:15, 60 s, 10 ct), one that did not (14:40, 120 s, 20 ct)
  const booker = h.caller(mobile(800));
  bookedCallId = booker.callId;
  await booker.event('call_started', { start_timestamp: at(statsDay, '10:15') });
  const booked = await booker.fn('book_appointment', { dienstleistung: 'Damenhaarschnitt', datum: germanDate(bookedDay), uhrzeit: '11:00', name: 'Statistik Kundin' });
  assert.equal(booked.body.success, true, booked.body.message);
  bookedId = booked.body.appointment_id;
  await booker.event('call_ended', { start_timestamp: at(statsDay, '10:15'), end_timestamp: at(statsDay, '10:16'), duration_ms: 60_000, call_cost: { combined_cost: 10 } });
  const browser = h.caller(mobile(801));
  await browser.event('call_ended', { start_timestamp: at(statsDay, '14:40'), end_timestamp: at(statsDay, '14:42'), duration_ms: 120_000, call_cost: { combined_cost: 20 } });
  // the day before: not counted
  await h.caller(mobile(802)).event('call_ended', { start_timestamp: at(statsDay.minus({ days: 1 }), '23:30'), duration_ms: 5_000, call_cost: { combined_cost: 7 } });
  // Salon Weber, same day: not Schmidt's
  await h.caller(mobile(803), { to: OTHER_SALON_NUMBER }).event('call_ended', { start_timestamp: at(statsDay, '10:20'), duration_ms: 30_000, call_cost: { combined_cost: 100 } });
});
after(() => h?.stop());

test('GET /healthz answers ok', async () => {
  const res = await get('/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { status: 'ok' });
});

test('GET /readyz is 200 with every check ok, and 503 naming the dependency that does not answer', async () => {
  const ready = await get('/readyz');
  assert.equal(ready.status, 200, ready.text);
  assert.deepEqual(ready.json, { status: 'ready', checks: { redis: 'ok', database: 'ok', calcom: 'ok' } });

  h.sim.control.setLatency('slots', { kind: 'fixed', ms: 1500 }); // longer than the readiness check waits
  try {
    const slow = await get('/readyz');
    assert.equal(slow.status, 503, slow.text);
    assert.deepEqual(slow.json, { status: 'not_ready', checks: { redis: 'ok', database: 'ok', calcom: 'failing' } });
  } finally {
    for (const op of SIM_OPERATIONS) h.sim.control.setLatency(op, { kind: 'none' });
  }
  assert.equal((await get('/readyz')).status, 200);
});

test('GET /api/stats/calls: each role sees its own cost column for its company and day', async () => {
  const expected = { customer: (10 + 20) * 1.8, reseller: (10 + 20) * 1.25, admin: 10 + 20 };
  for (const [role, token] of Object.entries(TOKENS) as Array<[keyof typeof TOKENS, string]>) {
    const res = await get(`/api/stats/calls?date=${statsDate}`, token);
    assert.equal(res.status, 200, res.text);
    const stats = res.json!;
    assert.equal(stats.companyId, SALON);
    assert.equal(stats.role, role);
    assert.equal(stats.date, statsDate);
    assert.equal(stats.timeZone, ZONE);
    assert.equal(stats.totalCalls, 2);
    assert.equal(stats.callsWithAppointment, 1);
    assert.equal(stats.conversion, 0.5);
    assert.equal(stats.averageDurationSeconds, 90);
    assert.equal(stats.totalCostCents, expected[role], `${role} cost`);
    assert.equal(stats.perHour.length, statsDay.plus({ days: 1 }).diff(statsDay, 'hours').hours, 'one entry per local hour');
    const hour = (n: number) => stats.perHour.find((e: { hour: number }) => e.hour === n);
    assert.equal(hour(10).calls, 1);
    assert.equal(hour(10).withAppointment, 1);
    assert.equal(hour(14).calls, 1);
    assert.equal(hour(14).withAppointment, 0);
    assert.equal(hour(23).calls, 0, "the day before's late call is not counted");
  }
  // Salon Weber's token sees Weber's call only, with Weber's customer markup (2)
  const weber = await get(`/api/stats/calls?date=${statsDate}`, OTHER_SALON_TOKEN);
  assert.equal(weber.status, 200);
  assert.equal(weber.json?.companyId, 'salon-weber');
  assert.equal(weber.json?.totalCalls, 1);
  assert.equal(weber.json?.totalCostCents, 200);
  // another day has nothing
  const empty = await get(`/api/stats/calls?date=${statsDay.minus({ days: 10 }).toISODate()}`, TOKENS.admin);
  assert.equal(empty.json?.totalCalls, 0);
});

test('GET /api/… without a valid bearer token is 401', async () => {
  for (const [token, scheme] of [
    [undefined, 'Bearer'],
    ['wrong-token', 'Bearer'],
    ['', 'Bearer'],
    [TOKENS.admin, 'Basic'],
    ['91c16f0d6cc1bec3c3603972182a07c66ff4fa71618a975e963d6dbe42b6dd37', 'Bearer'], // the stored hash is not the token
  ] as const) {
    for (const path of [`/api/stats/calls?date=${statsDate}`, `/api/appointments?from=${statsDate}`]) {
      const res = await get(path, token, scheme);
      assert.equal(res.status, 401, `${scheme} ${token}: ${res.text}`);
      assert.equal(res.json?.error, 'invalid_token');
      assert.equal(res.json?.success, false);
    }
  }
});

test('GET /api/stats/calls with a missing or bad date is 400', async () => {
  for (const [query, error] of [
    ['', 'invalid_query'],
    ['?date=heute', 'invalid_query'],
    ['?date=25.11.2026', 'invalid_query'],
    [`?date=${statsDate}&date=${statsDate}`, 'invalid_query'],
    ['?date=2026-13-45', 'invalid_date'],
    ['?date=2026-02-30', 'invalid_date'],
  ]) {
    const res = await get(`/api/stats/calls${query}`, TOKENS.customer);
    assert.equal(res.status, 400, `${query}: ${res.text}`);
    assert.equal(res.json?.error, error, query);
  }
});

test('GET /api/appointments lists the company\'s appointments of the days asked, nobody else\'s', async () => {
  const from = bookedDay.toISODate();
  const res = await get(`/api/appointments?from=${from}`, TOKENS.customer);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json?.appointments, [
    {
      id: bookedId,
      service: 'damenhaarschnitt',
      start: iso(at(bookedDay, '11:00')),
      end: iso(at(bookedDay, '12:00')),
      status: 'booked',
      origin: 'voice',
      syncStatus: 'synced',
      callId: bookedCallId,
      customer: { name: 'Statistik Kundin', phone: mobile(800) },
    },
  ]);
  const range = await get(`/api/appointments?from=${statsDate}&to=${from}`, TOKENS.admin);
  assert.deepEqual(range.json?.appointments.map((a: { id: number }) => a.id), [bookedId]);
  const dayBefore = await get(`/api/appointments?from=${statsDate}&to=${bookedDay.minus({ days: 1 }).toISODate()}`, TOKENS.admin);
  assert.deepEqual(dayBefore.json?.appointments, []);
  const weber = await get(`/api/appointments?from=${from}`, OTHER_SALON_TOKEN);
  assert.equal(weber.status, 200);
  assert.deepEqual(weber.json?.appointments, [], "Weber's token does not see Schmidt's appointment");

  for (const query of ['', '?from=morgen', `?from=${from}&to=${statsDate}`, '?from=2026-02-30']) {
    const bad = await get(`/api/appointments${query}`, TOKENS.customer);
    assert.equal(bad.status, 400, `${query}: ${bad.text}`);
    assert.equal(bad.json?.error, 'invalid_query');
  }
});
