import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { request } from 'undici';
import {
  ATTENDEE_MESSAGES_DE,
  CalcomClient,
  CalcomError,
  cancelRefusal,
  isAlreadyCancelled,
  isRateLimited,
  isSlotTaken,
  parseRateLimitHeaders,
  toBookingLanguage,
  validateAttendee,
} from '../../src/calcom/index.ts';
import type { CalcomSimulator } from '../../src/simulator/index.ts';
import { API_KEY, attendee, nextMonday, raw, startSim, testClient, utc, ZONE } from './helpers.ts';
import { checkComponent } from './openapi.ts';

/*
 * Cal.com's contract as Cal.com's own source states it (calcom/cal.com), pinned for the
 * client and the simulator alike. Each test names the source it follows.
 */

const V_BOOKINGS = { 'cal-api-version': '2024-08-13', authorization: `Bearer ${API_KEY}` };
const V_SLOTS = { 'cal-api-version': '2024-09-04', authorization: `Bearer ${API_KEY}` };

const body = (start: string, extra: Record<string, unknown> = {}) => ({
  start,
  eventTypeId: 12,
  attendee: { name: 'Erika', email: 'erika@example.com', timeZone: ZONE, language: 'de' },
  ...extra,
});

const httpError = (status: number, message: string, operation: CalcomError['operation'] = 'create_booking') =>
  new CalcomError({ operation, kind: 'http', status, calcom: { code: 'X', message } });

describe('Cal.com conformance: cancel', () => {
  let sim: CalcomSimulator;
  let t: ReturnType<typeof testClient>;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.control.reset();
    t = testClient(sim);
  });
  afterEach(() => t.client.close());

  // apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts (transformCancelBookingInput):
  // a cancelled booking is refused before handleCancelBooking runs, with this text.
  it('answers a cancel of a cancelled booking with 400 "…because it has been cancelled already…"', async () => {
    const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    assert.equal((await raw(sim, 'POST', `/v2/bookings/${b.uid}/cancel`, {}, V_BOOKINGS)).status, 200);
    const again = await raw(sim, 'POST', `/v2/bookings/${b.uid}/cancel`, {}, V_BOOKINGS);
    assert.equal(again.status, 400);
    assert.equal(
      again.json.error.message,
      `Can't cancel booking with uid=${b.uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`,
    );
  });

  // Same source; a retried cancel that took effect, or a booking staff cancelled in Cal.com, converges.
  it('the client treats every real "already cancelled" answer as cancelled', async () => {
    const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    sim.control.cancelExternalBooking(b.uid as string, 'staff');
    const got = await t.client.cancelBooking(b.uid as string);
    assert.equal(got.status, 'cancelled');
    assert.deepEqual(t.observations.map((o) => `${o.operation}:${o.status}`), ['cancel_booking:400', 'get_booking:200']);
    // packages/features/bookings/lib/handleCancelBooking.ts has its own text; both converge.
    assert.ok(isAlreadyCancelled(httpError(400, 'This booking has already been cancelled.', 'cancel_booking')));
    assert.ok(isAlreadyCancelled(httpError(400, `Can't cancel booking with uid=x because it has been cancelled already. Please provide uid of a booking that is not cancelled.`, 'cancel_booking')));
    assert.ok(!isAlreadyCancelled(httpError(400, 'Cannot cancel a booking that has already ended', 'cancel_booking')));
  });

  // packages/features/bookings/lib/handleCancelBooking.ts: "This event type does not allow
  // cancellations" (disableCancelling; hosts may still cancel) and "Cannot cancel a booking that
  // has already ended" (its test suite pins the text). Neither converges.
  it('refuses cancelling where the event type disables it, and for a booking that has ended', async () => {
    sim.control.addEventType({ id: 31, slug: 'no-cancel', lengthInMinutes: 30, disableCancelling: true });
    const locked = sim.control.createExternalBooking({ eventTypeId: 31, start: utc(nextMonday(9)) });
    await assert.rejects(t.client.cancelBooking(locked.uid as string), (err: unknown) => {
      assert.equal(cancelRefusal(err), 'cancelling_disabled');
      assert.equal(isAlreadyCancelled(err), false);
      return true;
    });
    assert.equal(sim.control.cancelExternalBooking(locked.uid as string).status, 'cancelled', 'the host still can');

    const ended = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    sim.control.setNow(nextMonday(10).toJSDate());
    await assert.rejects(t.client.cancelBooking(ended.uid as string), (err: unknown) => cancelRefusal(err) === 'booking_ended');
  });
});

describe('Cal.com conformance: create', () => {
  let sim: CalcomSimulator;
  let t: ReturnType<typeof testClient>;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.control.reset();
    t = testClient(sim);
  });
  afterEach(() => t.client.close());

  // packages/platform/types/bookings/2024-08-13/inputs/create-booking.input.ts (class Attendee):
  // phoneNumber must pass libphonenumber-js isValidPhoneNumber.
  it('checks the phone with libphonenumber-js before calling Cal.com, as Cal.com does', async () => {
    const bad = '+4900000000000'; // E.164-shaped, not a valid German number
    assert.deepEqual(validateAttendee({ phoneNumber: bad }), { code: 'invalid_phone', field: 'phoneNumber', message: ATTENDEE_MESSAGES_DE.invalid_phone });
    assert.equal(validateAttendee({ phoneNumber: '+491701234567', language: 'de' }), undefined);
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: { ...attendee(), phoneNumber: bad } }),
      (err: CalcomError) => err.kind === 'invalid_request' && err.reason === 'invalid_phone' && /Telefonnummer/.test(err.callerMessage ?? ''),
    );
    assert.equal(sim.control.stats().requests.create_booking, undefined, 'nothing sent');
    const res = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10)), { attendee: { ...body('').attendee, phoneNumber: bad } }), V_BOOKINGS);
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /Invalid phone number format\. Please use international format\./);
  });

  // packages/platform/types/bookings/2024-08-13/inputs/language.ts: the BookingLanguage enum
  // (newest version ends with `bn`); @IsEnum in create-booking.input.ts.
  it('checks the language against BookingLanguage (bn included) before calling Cal.com', async () => {
    assert.equal(validateAttendee({ language: 'bn' }), undefined);
    assert.equal(validateAttendee({ language: 'xx' })?.code, 'unsupported_language');
    assert.equal(toBookingLanguage('de-DE'), 'de');
    assert.equal(toBookingLanguage('pt-br'), 'pt-BR');
    assert.equal(toBookingLanguage('zz'), undefined);
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: { ...attendee(), language: 'xx' } }),
      (err: CalcomError) => err.reason === 'unsupported_language',
    );
    const bn = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10)), { attendee: { ...body('').attendee, language: 'bn' } }), V_BOOKINGS);
    assert.equal(bn.status, 201);
    const xx = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(11)), { attendee: { ...body('').attendee, language: 'xx' } }), V_BOOKINGS);
    assert.equal(xx.status, 400);
    assert.match(xx.json.error.message, /language must be one of the following values: .*bn/);
  });

  // apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts (validateBookingLengthInMinutes):
  // any lengthInMinutes on an event type without multiple durations, even its own length.
  it('refuses lengthInMinutes on a single-duration event type with Cal.com\'s text', async () => {
    const res = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10)), { lengthInMinutes: 30 }), V_BOOKINGS);
    assert.equal(res.status, 400);
    assert.equal(
      res.json.error.message,
      "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.",
    );
  });

  // packages/features/bookings/lib/handleNewBooking.ts / handleNewBooking/ensureAvailableUsers.ts:
  // notice, window, availability and busy times are checked — not the slot grid.
  it('accepts a start off the slot grid when the host is free', async () => {
    const res = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10, 10))), V_BOOKINGS);
    assert.equal(res.status, 201);
    assert.equal(res.json.data.start, utc(nextMonday(10, 10)));
  });

  // apps/api/v2/src/ee/bookings/2024-08-13/services/output.service.ts (getHost): a deleted host
  // user gives hosts[].id "unknown". The published OpenAPI says number — the source wins.
  it('reads hosts[].id "unknown" (deleted host) as a booking, not as an invalid answer', async () => {
    sim.control.deleteHost(1);
    const created = await t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c-host' } });
    assert.equal(created.hosts[0]?.id, 'unknown');
    assert.equal((await t.client.getBooking(created.uid)).status, 'accepted');
  });

  // Slot taken, every real form: errors.service.ts (400 user / team texts), reserved-slot-bookings.e2e-spec.ts
  // (409 newer, 400 older: "Someone else reserved this booking time slot before you…"),
  // prisma-exception.filter.ts (409 P2002), slots.service.ts (422 on reservations).
  it('classifies every real slot-taken and reservation-conflict form as taken', () => {
    const taken = [
      httpError(400, 'User either already has booking at this time or is not available'),
      httpError(400, 'One of the hosts either already has booking at this time or is not available'),
      httpError(400, 'Someone else reserved this booking time slot before you. This time slot will be freed up in 240 seconds.'),
      httpError(409, 'Someone else reserved this booking time slot before you. This time slot will be freed up in 240 seconds.'),
      httpError(409, 'Invalid Input: Trying to create a record that already exists.'),
      httpError(422, "Can't reserve a slot if the event is already booked.", 'reserve_slot'),
      httpError(422, 'This time slot is already reserved by another user. Please choose a different time.', 'reserve_slot'),
      httpError(422, 'This time slot is already reserved by another user. Please try again later or choose a different time slot.', 'reserve_slot'),
    ];
    for (const err of taken) assert.ok(isSlotTaken(err), err.message);
    assert.ok(!isSlotTaken(httpError(400, 'Attempting to book a meeting in the past.')));
  });

  // Request body and answer against the published OpenAPI document (calcom-v2-openapi.json).
  it('sends create bodies and gets answers in the shapes of the OpenAPI document', async () => {
    const input = { start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c-oa' }, bookingFieldsResponses: { notes: 'x' } };
    assert.deepEqual(checkComponent('CreateBookingInput_2024_08_13', input), []);
    const booking = await raw(sim, 'POST', '/v2/bookings', input, V_BOOKINGS);
    assert.equal(booking.status, 201);
    assert.deepEqual(checkComponent('BookingOutput_2024_08_13', booking.json.data), []);
    const cancelled = await raw(sim, 'POST', `/v2/bookings/${booking.json.data.uid}/cancel`, {}, V_BOOKINGS);
    assert.deepEqual(checkComponent('BookingOutput_2024_08_13', cancelled.json.data), []);
  });
});

describe('Cal.com conformance: reservations and slots', () => {
  let sim: CalcomSimulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  const reserve = (eventTypeId: number, at: string) => raw(sim, 'POST', '/v2/slots/reservations', { eventTypeId, slotStart: at }, V_SLOTS);

  // handleNewBooking has no reservation check for a create without reservedSlotUid (reference §8).
  it('a reservation does not block a create sent without reservedSlotUid', async () => {
    const at = utc(nextMonday(10));
    assert.equal((await reserve(12, at)).status, 201);
    assert.equal((await raw(sim, 'POST', '/v2/bookings', body(at), V_BOOKINGS)).status, 201);
  });

  // apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts: findActiveOverlappingBooking
  // and getOverlappingSlotReservation both take the eventTypeId.
  it('a reservation conflicts only with the same event type', async () => {
    const at = utc(nextMonday(10));
    assert.equal((await reserve(11, at)).status, 201);
    assert.equal((await reserve(12, at)).status, 201, 'another event type of the same host');
    const twice = await reserve(12, at);
    assert.equal(twice.status, 422);
    assert.equal(twice.json.error.message, 'This time slot is already reserved by another user. Please choose a different time.');
  });

  // The reservation's body and answer against the published OpenAPI document.
  it('reserves with bodies and answers in the shapes of the OpenAPI document', async () => {
    const input = { eventTypeId: 12, slotStart: utc(nextMonday(15)) };
    assert.deepEqual(checkComponent('ReserveSlotInput_2024_09_04', input), []);
    const res = await raw(sim, 'POST', '/v2/slots/reservations', input, V_SLOTS);
    assert.equal(res.status, 201);
    assert.deepEqual(checkComponent('ReserveSlotOutputResponse_2024_09_04', res.json), []);
  });

  // slots.service.ts deleteReservedSlot → repository deleteMany: an unknown uid is not an error.
  it('DELETE of an unknown reservation answers 200', async () => {
    const res = await raw(sim, 'DELETE', '/v2/slots/reservations/does-not-exist', undefined, V_SLOTS);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'success' });
  });

  // apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots-input.service.ts (adjustEndTime):
  // an end at exactly 00:00:00 (date-only or not) becomes 23:59:59 of that day.
  it('moves a slots query end of exactly 00:00:00Z to 23:59:59 of that day', async () => {
    const day = nextMonday().toUTC().plus({ days: 1 }).startOf('day'); // Tuesday 00:00Z
    const q = new URLSearchParams({ eventTypeId: '12', start: utc(day), end: utc(day) });
    const res = await raw(sim, 'GET', `/v2/slots?${q}`, undefined, V_SLOTS);
    assert.equal(res.status, 200);
    const starts = Object.values(res.json.data as Record<string, Array<{ start: string }>>).flat();
    assert.equal(starts.length, 18, 'the whole Tuesday (09:00–18:00 Berlin, every 30 min)');
  });
});

describe('Cal.com conformance: reservation variants', () => {
  // reserved-slot-bookings.e2e-spec.ts: 409 in newer versions, 400 with the same text in older ones.
  it('a create hitting an earlier reservation is 409 (newer) or 400 (older), and taken in both', async () => {
    for (const status of [409, 400] as const) {
      const sim = await startSim({ reservationConflictStatus: status });
      const t = testClient(sim);
      try {
        const at = utc(nextMonday(10));
        await t.client.reserveSlot({ eventTypeId: 12, slotStart: at });
        await assert.rejects(
          t.client.createBooking({ start: at, eventTypeId: 12, attendee: attendee(), reservedSlotUid: 'later-reservation' }),
          (err: CalcomError) => err.status === status && isSlotTaken(err) && /reserved this booking time slot before you/.test(err.calcom?.message ?? ''),
        );
      } finally {
        await t.client.close();
        await sim.close();
      }
    }
  });

  // packages/platform/types/bookings/2024-08-13/inputs/create-booking.input.ts of some versions has no
  // reservedSlotUid; the create pipe's forbidNonWhitelisted refuses it.
  it('a create DTO without reservedSlotUid refuses the field', async () => {
    const sim = await startSim({ acceptsReservedSlotUid: false });
    try {
      const res = await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10)), { reservedSlotUid: 'x' }), V_BOOKINGS);
      assert.equal(res.status, 400);
      assert.match(res.json.error.message, /property reservedSlotUid should not exist/);
      assert.equal((await raw(sim, 'POST', '/v2/bookings', body(utc(nextMonday(10))), V_BOOKINGS)).status, 201);
    } finally {
      await sim.close();
    }
  });
});

describe('Cal.com conformance: rate limits', () => {
  // apps/api/v2/src/lib/throttler/throttler-guard.ts: X-RateLimit-{Limit,Remaining,Reset}-Default on
  // every answer, reset in seconds (the block's remainder while blocked), no Retry-After, 60 s block.
  it('the simulator answers like the throttler: headers on every answer, 429 without Retry-After', async () => {
    const sim = await startSim({ rateLimitPerMinute: 2 });
    try {
      const q = `/v2/slots?eventTypeId=12&start=${nextMonday().toISODate()}&end=${nextMonday().toISODate()}`;
      const get = () => request(sim.url + q, { headers: V_SLOTS }).then(async (r) => ({ status: r.statusCode, headers: r.headers, text: await r.body.text() }));
      const first = await get();
      assert.equal(first.status, 200);
      assert.deepEqual(parseRateLimitHeaders(first.headers), { limit: 2, remaining: 1, resetSeconds: 60 });
      await get();
      const third = await get();
      assert.equal(third.status, 429);
      assert.equal(third.headers['retry-after'], undefined);
      assert.equal(third.headers['x-ratelimit-remaining-default'], '0');
      assert.equal(third.headers['x-ratelimit-reset-default'], '60');
      assert.equal(JSON.parse(third.text).error.message, 'Too many requests. Please try again later.');
      // The injected 429 fault looks the same, and announces the limit this simulator applies — or,
      // with none configured, Cal.com's default for API keys (RATE_LIMIT_DEFAULT_LIMIT_API_KEY, 120):
      // a client learns the limit from it, so it must not claim one that is not enforced.
      sim.control.setRateLimit(50);
      sim.control.queueFaults('slots', ['429']);
      const limited = await get();
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['x-ratelimit-limit-default'], '50');
      sim.control.setRateLimit(null);
      sim.control.queueFaults('slots', ['429']);
      const fault = await get();
      assert.equal(fault.status, 429);
      assert.equal(fault.headers['retry-after'], undefined);
      assert.ok(fault.headers['x-ratelimit-reset-default']);
      assert.equal(fault.headers['x-ratelimit-limit-default'], '120');
    } finally {
      await sim.close();
    }
  });

  // Same source: the pacer keeps a flood of availability lookups under the announced limit,
  // so Cal.com never answers 429; what cannot wait within its deadline fails at once, unsent.
  it('paces an availability flood under the limit: no 429, the rest fail fast', async () => {
    let clock = Date.parse('2031-01-06T08:00:00Z');
    const sim = await startSim({ rateLimitPerMinute: 10, clock: () => clock });
    const client = new CalcomClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const q = { eventTypeId: 12, start: '2031-01-06T00:00:00Z', end: '2031-01-06T23:59:59Z' };
    try {
      await client.getSlots(q); // learns limit 10 from the answer's headers
      assert.equal(client.rateLimitPerMinute, 10);
      const burst = await Promise.allSettled(Array.from({ length: 30 }, () => client.getSlots(q, { deadlineMs: 2000 })));
      const ok = burst.filter((r) => r.status === 'fulfilled').length;
      const fast = burst.filter((r) => r.status === 'rejected' && isRateLimited(r.reason) && (r.reason as CalcomError).kind === 'rate_limited').length;
      assert.equal(ok, 9, 'the rest of the window');
      assert.equal(fast, 21);
      // Sequential lookups that may wait long enough go out in the next window, still without a 429.
      for (let i = 0; i < 12; i++) await client.getSlots(q, { deadlineMs: 120_000 });
      const stats = sim.control.stats();
      assert.equal(stats.responses.slots?.['429'], undefined, 'Cal.com never refused');
      assert.equal(stats.requests.slots, 22);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  // A 429 is retried only when its reset fits the remaining deadline; otherwise the call fails at once.
  it('retries a 429 only when its reset fits the deadline', async () => {
    const sim = await startSim();
    try {
      sim.control.setFaults('slots', { retryAfterSeconds: 2 });
      const q = { eventTypeId: 12, start: utc(nextMonday()), end: utc(nextMonday(23)) };
      const fits = testClient(sim);
      sim.control.queueFaults('slots', ['429']);
      await fits.client.getSlots(q, { deadlineMs: 5000 });
      assert.deepEqual(fits.delays, [2000]);
      await fits.client.close();

      const short = testClient(sim);
      sim.control.queueFaults('slots', ['429']);
      await assert.rejects(short.client.getSlots(q, { deadlineMs: 1000 }), (err: CalcomError) => err.status === 429 && err.retryAfterMs === 2000);
      assert.deepEqual(short.delays, []);
      await short.client.close();
    } finally {
      await sim.close();
    }
  });
});

describe('Cal.com conformance: webhooks', () => {
  let receiver: Server;
  let url: string;
  const received: Array<Record<string, any>> = [];
  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
  });

  // packages/features/bookings/lib/handleCancelBooking.ts builds BOOKING_CANCELLED from the calendar
  // event: no `metadata`. MEETING_STARTED / MEETING_ENDED are sent flat, without `payload`
  // (packages/features/webhooks/lib/sendPayload.ts).
  it('BOOKING_CANCELLED carries no metadata; MEETING_STARTED/ENDED have no payload object', async () => {
    const sim = await startSim({ webhook: { url, secret: 'whsec' } });
    try {
      const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)), metadata: { commandId: 'c1' } });
      sim.control.meetingEvent(b.uid as string, 'MEETING_STARTED');
      sim.control.meetingEvent(b.uid as string, 'MEETING_ENDED');
      sim.control.cancelExternalBooking(b.uid as string, 'krank');
      await sim.control.flushWebhooks();
      const [created, started, ended, cancelled] = received;
      assert.equal(created?.triggerEvent, 'BOOKING_CREATED');
      assert.deepEqual(created?.payload.metadata, { commandId: 'c1' });
      assert.equal(started?.triggerEvent, 'MEETING_STARTED');
      assert.equal(started?.payload, undefined);
      assert.equal(started?.uid, b.uid);
      assert.equal(ended?.triggerEvent, 'MEETING_ENDED');
      assert.equal(cancelled?.triggerEvent, 'BOOKING_CANCELLED');
      assert.equal(cancelled?.payload.status, 'CANCELLED');
      assert.equal('metadata' in cancelled!.payload, false);
      assert.equal(cancelled?.payload.cancellationReason, 'krank');
    } finally {
      await sim.close();
    }
  });
});
