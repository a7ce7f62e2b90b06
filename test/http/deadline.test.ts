// The reply deadline: when Cal.com is slow the agent is told to hold on within
// FUNCTION_DEADLINE_MS; the command still completes, and asking again (same call, same
// function, same args) returns its result — one booking, not two.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { DateTime } from 'luxon';
import { SIM_OPERATIONS } from '../../src/simulator/index.ts';
import { at, count, germanDate, iso, mobile, startServiceHarness, workdayAhead, ZONE, type ServiceHarness } from '../helpers/service.ts';

const DEADLINE_MS = 300;
const LATENCY_MS = 1500;
/** Time on top of the deadline for HTTP, signing and a busy 2-core machine; still well below LATENCY_MS. */
const SLACK_MS = 1000;

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness({ env: { FUNCTION_DEADLINE_MS: String(DEADLINE_MS) } });
});
after(() => h?.stop());
beforeEach(() => {
  for (const op of SIM_OPERATIONS) h.sim.control.setLatency(op, { kind: 'none' });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Asks again every 200 ms until the reply is no longer "still processing". */
async function askUntilDone(ask: () => Promise<{ body: Record<string, any> }>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  const replies: Array<Record<string, any>> = [];
  for (;;) {
    const { body } = await ask();
    replies.push(body);
    if (body.error !== 'still_processing') return { final: body, replies };
    if (Date.now() > until) throw new Error(`still processing after ${timeoutMs} ms`);
    await sleep(200);
  }
}

test('a slow Cal.com booking answers still_processing within the deadline; the repeat returns the one booking', async () => {
  const day = workdayAhead(3);
  const caller = h.caller(mobile(600));
  const args = { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '10:00', name: 'Geduldig' };
  await caller.fn('check_availability', args); // warm the cache, so only the create is slow
  h.sim.control.setLatency('create_booking', { kind: 'fixed', ms: LATENCY_MS });
  const creates = () => h.sim.control.stats().requests.create_booking ?? 0;

  const first = await timed(() => caller.fn('book_appointment', args));
  assert.equal(first.value.status, 200);
  assert.equal(first.value.body.success, false);
  assert.equal(first.value.body.error, 'still_processing');
  assert.match(first.value.body.message, /Einen Moment bitte/);
  assert.ok(first.ms < DEADLINE_MS + SLACK_MS, `answered after ${first.ms.toFixed(0)} ms (deadline ${DEADLINE_MS} ms)`);
  assert.ok(first.ms >= DEADLINE_MS - 20, `waited for the deadline (${first.ms.toFixed(0)} ms)`);

  const { final, replies } = await askUntilDone(() => caller.fn('book_appointment', args));
  assert.equal(final.success, true, final.message);
  assert.equal(final.start, iso(at(day, '10:00')));
  assert.ok(replies.length >= 2, 'the booking was still running at the first repeat');

  // asking once more gives the same answer, and only one booking exists anywhere
  const again = await caller.fn('book_appointment', args);
  assert.deepEqual(again.body, final);
  assert.equal(creates(), 1, 'Cal.com was asked to create exactly once');
  const bookings = h.sim.control.bookings().filter((b) => b.start === iso(at(day, '10:00')) && b.status !== 'cancelled');
  assert.equal(bookings.length, 1);
  assert.equal(count(h.db, 'appointments', 'start_utc = ?', at(day, '10:00')), 1);
  const row = h.db.prepare('SELECT id, status, calcom_uid FROM appointments WHERE start_utc = ?').get(at(day, '10:00'));
  assert.deepEqual(row, { id: final.appointment_id, status: 'booked', calcom_uid: bookings[0]!.uid });
});

test('the same args from another call are another command: the slot is already taken', async () => {
  const day = workdayAhead(3);
  const other = await h.caller(mobile(601)).fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '10:00', name: 'Zweiter' });
  assert.equal(other.body.success, false);
  assert.equal(other.body.error, 'slot_no_longer_available');
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
});

test('a slow availability read answers still_processing, and the repeat is served from the warmed cache', async () => {
  // a week nothing has read yet, so the cache is cold
  const day = workdayAhead(15);
  const caller = h.caller(mobile(602));
  const args = { dienstleistung: 'Damenhaarschnitt', datum: germanDate(day), uhrzeit: 'vormittags' };
  h.sim.control.setLatency('slots', { kind: 'fixed', ms: LATENCY_MS });

  const first = await timed(() => caller.fn('check_availability', args));
  assert.equal(first.value.body.error, 'still_processing');
  assert.ok(first.ms < DEADLINE_MS + SLACK_MS, `answered after ${first.ms.toFixed(0)} ms`);

  await sleep(LATENCY_MS + 200);
  const second = await timed(() => caller.fn('check_availability', args));
  assert.equal(second.value.body.success, true, second.value.body.message);
  assert.ok(second.value.body.free_slots.length > 0);
  assert.ok(second.ms < DEADLINE_MS, `the repeat did not wait for Cal.com (${second.ms.toFixed(0)} ms)`);
  for (const slot of second.value.body.free_slots) {
    assert.equal(DateTime.fromISO(slot.start, { zone: ZONE }).toISODate(), day.toISODate());
  }
});

test('a slow cancel answers still_processing; the repeat confirms it, cancelled once', async () => {
  const day = workdayAhead(4);
  const caller = h.caller(mobile(603));
  const booked = await caller.fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '14:00', name: 'Storno' });
  assert.equal(booked.body.success, true, booked.body.message);
  h.sim.control.setLatency('cancel_booking', { kind: 'fixed', ms: LATENCY_MS });
  const cancels = () => h.sim.control.stats().requests.cancel_booking ?? 0;
  const before = cancels();

  const first = await timed(() => caller.fn('cancel_appointment', { termin_id: booked.body.appointment_id }));
  assert.equal(first.value.body.error, 'still_processing');
  assert.ok(first.ms < DEADLINE_MS + SLACK_MS, `answered after ${first.ms.toFixed(0)} ms`);

  const { final } = await askUntilDone(() => caller.fn('cancel_appointment', { termin_id: booked.body.appointment_id }));
  assert.equal(final.success, true, final.message);
  assert.equal(final.appointment_id, booked.body.appointment_id);
  assert.equal(cancels() - before, 1, 'Cal.com was asked to cancel exactly once');
  assert.equal((h.db.prepare('SELECT status FROM appointments WHERE id = ?').get(booked.body.appointment_id) as { status: string }).status, 'cancelled');
});
