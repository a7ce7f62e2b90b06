import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import {
  createRng,
  lognormalParams,
  MSG_BAD_START,
  MSG_TAKEN,
  sampleLatency,
  startCalcomSimulator,
  type CalcomSimulator,
} from '../../src/simulator/index.ts';
import { API_KEY, nextMonday, raw, startSim, utc, ZONE } from './helpers.ts';

const V_BOOKINGS = { 'cal-api-version': '2024-08-13', authorization: `Bearer ${API_KEY}` };
const V_SLOTS = { 'cal-api-version': '2024-09-04' };

const v2Body = (start: DateTime, extra: Record<string, unknown> = {}) => ({
  start: utc(start),
  eventTypeId: 12,
  attendee: { name: 'Erika', email: 'erika@example.com', timeZone: ZONE, language: 'de' },
  ...extra,
});

async function slotStarts(sim: CalcomSimulator, eventTypeId: number, day: DateTime): Promise<string[]> {
  const q = new URLSearchParams({ eventTypeId: String(eventTypeId), start: utc(day.startOf('day')), end: utc(day.endOf('day')), timeZone: ZONE });
  const res = await raw(sim, 'GET', `/v2/slots?${q}`, undefined, V_SLOTS);
  assert.equal(res.status, 200);
  return (res.json.data[day.toISODate() as string] ?? []).map((s: { start: string }) => DateTime.fromISO(s.start, { setZone: true }).toFormat('HH:mm'));
}

describe('Cal.com simulator: wire format and booking rules', () => {
  let sim: CalcomSimulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('refuses legacy v1 fields with "property X should not exist"', async () => {
    const legacy = {
      eventTypeId: 12,
      startTime: utc(nextMonday(10)),
      endTime: utc(nextMonday(10, 30)),
      responses: { name: 'Erika', email: 'erika@example.com' },
      timeZone: ZONE,
      language: 'de',
      title: 'Haarschnitt',
      status: 'ACCEPTED',
    };
    const res = await raw(sim, 'POST', '/v2/bookings', legacy, V_BOOKINGS);
    assert.equal(res.status, 400);
    assert.equal(res.json.status, 'error');
    assert.equal(res.json.path, '/v2/bookings');
    for (const field of ['startTime', 'endTime', 'responses', 'timeZone', 'language', 'title', 'status'])
      assert.match(res.json.error.message, new RegExp(`property ${field} should not exist`));
    const rootName = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { name: 'Erika', end: utc(nextMonday(11)) }), V_BOOKINGS);
    assert.match(rootName.json.error.message, /property name should not exist.*property end should not exist/);
    assert.equal(sim.control.stats().bookings.total, 0);
  });

  it('routes a missing or unknown cal-api-version to legacy behaviour', async () => {
    const noVersion = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10)));
    assert.equal(noVersion.status, 400);
    assert.match(noVersion.json.error.message, /responses must be an object/);
    const future = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10)), { 'cal-api-version': '2099-01-01' });
    assert.equal(future.status, 400);
    const slots = await raw(sim, 'GET', `/v2/slots?eventTypeId=12&start=${nextMonday().toISODate()}&end=${nextMonday().toISODate()}`, undefined, {
      'cal-api-version': '2024-08-13',
    });
    assert.equal(slots.status, 404);
    const legacySlots = await raw(sim, 'GET', `/v2/slots/available?eventTypeId=12&startTime=${nextMonday().toISODate()}&endTime=${nextMonday().toISODate()}`);
    assert.equal(legacySlots.status, 200);
    assert.ok(legacySlots.json.data.slots);
  });

  it('validates phone numbers, metadata and the event type', async () => {
    const phone = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { attendee: { ...v2Body(nextMonday(10)).attendee, phoneNumber: '0170 1234567' } }), V_BOOKINGS);
    assert.equal(phone.status, 400);
    assert.match(phone.json.error.message, /Invalid phone number format/);
    for (const metadata of [{ a: { nested: 'x' } }, { n: 5 }, { x: null }, ['a']]) {
      const res = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { metadata }), V_BOOKINGS);
      assert.equal(res.status, 400, JSON.stringify(metadata));
      assert.match(res.json.error.message, /metadata must be an object with up to 50 keys/);
    }
    const unknown = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { eventTypeId: 999 }), V_BOOKINGS);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'NotFoundException');
  });

  it('refuses starts outside hours, too soon or in the past (off the slot grid is fine, as in Cal.com)', async () => {
    const bad = async (start: DateTime) => (await raw(sim, 'POST', '/v2/bookings', v2Body(start), V_BOOKINGS)).json.error?.message;
    assert.equal(await bad(nextMonday(10, 10)), undefined);
    assert.equal(await bad(nextMonday(18)), MSG_BAD_START); // 18:00–18:30 ends after closing
    assert.equal(await bad(nextMonday(7)), MSG_BAD_START);
    assert.equal(await bad(nextMonday(9).plus({ days: 5 })), MSG_BAD_START); // Saturday
    sim.control.addEventType({ id: 13, slug: 'notice', lengthInMinutes: 30, minimumBookingNoticeMinutes: 120 });
    sim.control.setNow(nextMonday(9).toJSDate());
    const soon = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { eventTypeId: 13 }), V_BOOKINGS);
    assert.equal(soon.json.error.message, MSG_BAD_START);
    assert.equal(await bad(nextMonday(8, 30).minus({ days: 3 })), 'Attempting to book a meeting in the past.');
  });

  it('refuses an overlapping booking where Cal.com would: 60 min at 10:00 vs 30 min at 10:30', async () => {
    const first = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10), { eventTypeId: 11 }), V_BOOKINGS);
    assert.equal(first.status, 201);
    assert.equal(first.json.data.status, 'accepted');
    const second = await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10, 30)), V_BOOKINGS);
    assert.equal(second.status, 400);
    assert.equal(second.json.error.message, MSG_TAKEN);
    // Back to back is fine.
    assert.equal((await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(11)), V_BOOKINGS)).status, 201);
    // A cancelled booking frees its range.
    await raw(sim, 'POST', `/v2/bookings/${first.json.data.uid}/cancel`, {}, V_BOOKINGS);
    assert.equal((await raw(sim, 'POST', '/v2/bookings', v2Body(nextMonday(10, 30)), V_BOOKINGS)).status, 201);
    const stats = sim.control.stats();
    assert.equal(stats.overlappingActiveBookings, 0);
    assert.deepEqual(Object.values(stats.activeBookingsBySlot), [1, 1]);
  });

  it('offers slots that avoid booked ranges of the host and past times', async () => {
    sim.control.createExternalBooking({ eventTypeId: 11, start: utc(nextMonday(10)) });
    const thirty = await slotStarts(sim, 12, nextMonday());
    assert.ok(thirty.includes('09:30') && thirty.includes('11:00'));
    assert.ok(!thirty.includes('10:00') && !thirty.includes('10:30'));
    const sixty = await slotStarts(sim, 11, nextMonday());
    assert.ok(sixty.includes('09:00') && !sixty.includes('09:30') && sixty.includes('11:00'));

    sim.control.setNow(nextMonday(13, 5).toJSDate());
    const afternoon = await slotStarts(sim, 12, nextMonday());
    assert.equal(afternoon[0], '13:30');
    assert.equal(afternoon.at(-1), '17:30');
  });

  it('renders slots DST-correctly in local time', async () => {
    sim.control.setHours({ sun: [{ start: '09:00', end: '10:00' }] });
    const dstSunday = DateTime.fromISO('2031-03-30', { zone: ZONE }); // clocks go forward at 02:00
    const q = new URLSearchParams({ eventTypeId: '12', start: utc(dstSunday), end: utc(dstSunday.endOf('day')), timeZone: ZONE });
    const res = await raw(sim, 'GET', `/v2/slots?${q}`, undefined, V_SLOTS);
    assert.deepEqual(res.json.data['2031-03-30'], [{ start: '2031-03-30T09:00:00.000+02:00' }, { start: '2031-03-30T09:30:00.000+02:00' }]);
    const utcRes = await raw(sim, 'GET', `/v2/slots?eventTypeId=12&start=2031-03-30&end=2031-03-30&format=range`, undefined, V_SLOTS);
    assert.deepEqual(utcRes.json.data['2031-03-30'][0], { start: '2031-03-30T07:00:00.000Z', end: '2031-03-30T07:30:00.000Z' });
  });

  it('lists bookings with filters and pagination, and needs a key', async () => {
    for (const h of [9, 11, 13]) sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(h)), metadata: { commandId: `c${h}` } });
    sim.control.createExternalBooking({ eventTypeId: 11, start: utc(nextMonday(15)) });
    const q = new URLSearchParams({ eventTypeId: '12', afterStart: utc(nextMonday(11)), beforeEnd: utc(nextMonday(13, 30)) });
    const res = await raw(sim, 'GET', `/v2/bookings?${q}`, undefined, V_BOOKINGS);
    assert.deepEqual(res.json.data.map((b: { metadata: { commandId: string } }) => b.metadata.commandId), ['c11', 'c13']);
    assert.equal(res.json.pagination.totalItems, 2);
    const page = await raw(sim, 'GET', '/v2/bookings?take=1&skip=1', undefined, V_BOOKINGS);
    assert.equal(page.json.pagination.hasNextPage, true);
    assert.equal(page.json.pagination.currentPage, 2);
    const noKey = await raw(sim, 'GET', '/v2/bookings', undefined, { 'cal-api-version': '2024-08-13' });
    assert.equal(noKey.status, 401);
  });

  it('is controllable over HTTP under /_sim', async () => {
    assert.equal((await raw(sim, 'POST', '/_sim/event-types', { id: 21, slug: 'farbe', lengthInMinutes: 90 })).status, 201);
    const ext = await raw(sim, 'POST', '/_sim/bookings', { eventTypeId: 21, start: utc(nextMonday(9)) });
    assert.equal(ext.status, 201);
    assert.equal((await raw(sim, 'PUT', '/_sim/faults', { operation: 'get_booking', config: { rates: { '5xx': 1 }, serverErrorStatus: 503 } })).status, 200);
    const failed = await raw(sim, 'GET', `/v2/bookings/${ext.json.uid}`, undefined, V_BOOKINGS);
    assert.equal(failed.status, 503);
    assert.equal((await raw(sim, 'POST', '/_sim/faults/queue', { operation: 'slots', kinds: ['429'] })).status, 200);
    assert.equal((await raw(sim, 'GET', '/v2/slots?eventTypeId=21&start=2031-01-01&end=2031-01-02', undefined, V_SLOTS)).status, 429);
    const stats = await raw(sim, 'GET', '/_sim/stats');
    assert.deepEqual(stats.json.requests, { get_booking: 1, slots: 1 });
    assert.deepEqual(stats.json.responses.get_booking, { 503: 1 });
    assert.equal(stats.json.bookings.total, 1);
    const invalid = await raw(sim, 'PUT', '/_sim/latency', { spec: { kind: 'sometimes' } });
    assert.equal(invalid.status, 400);
    assert.equal((await raw(sim, 'POST', '/_sim/reset', {})).status, 200);
    assert.equal((await raw(sim, 'GET', '/_sim/bookings')).json.length, 0);
  });
});

describe('Cal.com simulator: randomness and latency model', () => {
  it('fits the log-normal so that ~95 % of samples fall within 400–2000 ms', () => {
    const { mu, sigma } = lognormalParams(400, 2000, 0.95);
    assert.ok(Math.abs(Math.exp(mu) - Math.sqrt(400 * 2000)) < 1e-6);
    assert.ok(Math.abs(sigma - Math.log(5) / (2 * 1.959964)) < 1e-4);
    const rng = createRng('latency');
    const samples = Array.from({ length: 20_000 }, () => sampleLatency({ kind: 'lognormal' }, rng));
    const inside = samples.filter((s) => s >= 400 && s <= 2000).length / samples.length;
    assert.ok(inside > 0.94 && inside < 0.96, `inside=${inside}`);
  });

  it('replays the same uids for the same seed', async () => {
    const uids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startCalcomSimulator({ randomSeed: 'seed-1', eventTypes: [{ id: 1, slug: 'x', lengthInMinutes: 30 }] });
      uids.push(s.control.createExternalBooking({ eventTypeId: 1, start: utc(nextMonday(9)) }).uid as string);
      await s.close();
    }
    assert.equal(uids[0], uids[1]);
  });
});
