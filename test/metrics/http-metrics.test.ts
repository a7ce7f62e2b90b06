// The metrics a running service exposes on GET /metrics move with real traffic: a scripted
// call over HTTP (availability, a booking, two attempts at the taken slot, a cancel, call
// webhooks), and every metric the grafana/ bundle queries exists in the live output.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { metricNamesReferencedByBundle, missingMetricNames } from '../../src/metrics/referenced.ts';
import { germanDate, mobile, request, sampleValue, startServiceHarness, workdayAhead, type ServiceHarness } from '../helpers/service.ts';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness();
});
after(() => h?.stop());

async function scrape(): Promise<string> {
  const res = await request(`${h.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text;
}

test('a scripted call over HTTP moves the booking, Retell, Cal.com, cache and actor metrics', async () => {
  const before = await scrape();
  const day = workdayAhead(3);
  const args = { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '10:00' };

  const caller = h.caller(mobile(1));
  assert.equal((await caller.event('call_started', { start_timestamp: Date.now() })).status, 200);
  const check = await caller.fn('check_availability', args); // cold cache: a miss
  assert.equal(check.body.available, true, check.body.message);
  const again = await caller.fn('check_availability_v17', { ...args, uhrzeit: '10:30' }); // same week: a hit
  assert.equal(again.body.available, true);

  const booked = await caller.fn('book_appointment', { ...args, name: 'Metrik Kunde' });
  assert.equal(booked.body.success, true, booked.body.message);
  // the same slot, asked for by two other callers (once through an alias): taken
  const taken1 = await h.caller(mobile(2)).fn('book_appointment', { ...args, name: 'Zweite' });
  const taken2 = await h.caller(mobile(3)).fn('start_booking', { ...args, name: 'Dritte' });
  assert.equal(taken1.body.error, 'slot_no_longer_available');
  assert.equal(taken2.body.error, 'slot_no_longer_available');

  const cancelled = await caller.fn('cancel_appointment', { termin_id: booked.body.appointment_id });
  assert.equal(cancelled.body.success, true, cancelled.body.message);
  assert.equal((await caller.event('call_ended', { start_timestamp: Date.now() - 60_000, end_timestamp: Date.now(), call_cost: { combined_cost: 3 } })).status, 200);
  await h.sim.control.flushWebhooks(); // the simulator's booking webhooks were reconciled by actors too

  const afterText = await scrape();
  const delta = (name: string, labels: Record<string, string> = {}) => sampleValue(afterText, name, labels) - sampleValue(before, name, labels);

  assert.equal(delta('booking_commands_total', { command: 'book', outcome: 'success' }), 1);
  assert.equal(delta('booking_commands_total', { command: 'book', outcome: 'slot_unavailable' }), 2);
  assert.equal(delta('booking_commands_total', { command: 'book', outcome: 'error' }), 0);
  assert.equal(delta('booking_commands_total', { command: 'cancel', outcome: 'success' }), 1);

  assert.equal(delta('retell_function_duration_seconds_count', { function: 'book_appointment', outcome: 'success' }), 1);
  assert.equal(delta('retell_function_duration_seconds_count', { function: 'book_appointment', outcome: 'rejected' }), 2, 'the alias counts under its function');
  assert.equal(delta('retell_function_duration_seconds_count', { function: 'check_availability', outcome: 'success' }), 2);
  assert.equal(delta('retell_function_duration_seconds_count', { function: 'cancel_appointment', outcome: 'success' }), 1);
  assert.ok(delta('retell_function_duration_seconds_sum', { function: 'book_appointment', outcome: 'success' }) > 0);

  assert.equal(delta('calcom_request_duration_seconds_count', { operation: 'create_booking', status: '201' }), 1);
  assert.equal(delta('calcom_request_duration_seconds_count', { operation: 'cancel_booking', status: '200' }), 1);
  assert.ok(delta('calcom_request_duration_seconds_count', { operation: 'slots', status: '200' }) >= 1);

  assert.ok(delta('availability_cache_requests_total', { result: 'miss' }) >= 1, 'a cache miss');
  assert.ok(delta('availability_cache_requests_total', { result: 'hit' }) >= 1, 'a cache hit');

  // book, two refused books and a cancel ran as actor jobs (webhook reconciles add to that)
  assert.ok(delta('actor_jobs_total', { outcome: 'completed' }) >= 4, `completed jobs: ${delta('actor_jobs_total', { outcome: 'completed' })}`);
  assert.equal(delta('actor_jobs_total', { outcome: 'failed' }), 0);
  assert.ok(delta('actor_mailbox_wait_seconds_count') >= 4);

  assert.equal(delta('retell_calls_total', { event: 'started' }), 1);
  assert.equal(delta('retell_calls_total', { event: 'ended' }), 1);
  assert.equal(delta('calls_with_appointment_total'), 0, 'the only booking of the call was cancelled before it ended');
  assert.equal(sampleValue(afterText, 'orphaned_bookings'), 0);
});

test('a call that ends with a booking counts towards conversion', async () => {
  const before = await scrape();
  const caller = h.caller(mobile(4));
  await caller.event('call_started', { start_timestamp: Date.now() });
  const booked = await caller.fn('book_appointment', { dienstleistung: 'Damenhaarschnitt', datum: germanDate(workdayAhead(4)), uhrzeit: '14:00', name: 'Konversion' });
  assert.equal(booked.body.success, true, booked.body.message);
  await caller.event('call_ended', { start_timestamp: Date.now() - 30_000, end_timestamp: Date.now() });
  const afterText = await scrape();
  assert.equal(sampleValue(afterText, 'calls_with_appointment_total') - sampleValue(before, 'calls_with_appointment_total'), 1);
});

test('every metric the grafana bundle queries exists in the live /metrics output', async () => {
  const referenced = await metricNamesReferencedByBundle(process.cwd());
  assert.ok(referenced.length >= 10, `the bundle queries metrics (${referenced.join(', ')})`);
  for (const name of ['booking_commands_total', 'calcom_request_duration_seconds', 'actor_jobs_total', 'availability_cache_requests_total']) {
    assert.ok(referenced.includes(name), `${name} is on a dashboard or in an alert`);
  }
  const live = await scrape();
  assert.deepEqual(missingMetricNames(referenced, live), [], 'grafana/ queries metrics the running service does not expose');
  // and the check can fail: a renamed metric would be reported
  assert.deepEqual(missingMetricNames([...referenced, 'booking_command_total'], live), ['booking_command_total']);
});
