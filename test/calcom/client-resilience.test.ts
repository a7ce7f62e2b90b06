import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CalcomClient, CalcomError, CalcomUnknownOutcomeError, isSlotTaken, isUnknownOutcome, type CalcomLogger } from '../../src/calcom/index.ts';
import { createLogger } from '../../src/log.ts';
import { MSG_PAST, MSG_TAKEN, type CalcomSimulator } from '../../src/simulator/index.ts';
import { attendee, nextMonday, startSim, testClient, utc } from './helpers.ts';

const slotsQuery = () => ({ eventTypeId: 12, start: utc(nextMonday()), end: utc(nextMonday(23)) });

describe('CalcomClient retries, timeouts and errors', () => {
  let sim: CalcomSimulator;
  let t: ReturnType<typeof testClient>;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  // A fresh client per test: a 429 blocks the client's key for its reset, as it blocks the key in Cal.com.
  beforeEach(() => {
    sim.control.reset();
    t = testClient(sim, { retries: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 } });
  });
  afterEach(() => t.client.close());

  it('retries a read on 429 after X-RateLimit-Reset-Default (Cal.com sends no Retry-After)', async () => {
    sim.control.setFaults('slots', { retryAfterSeconds: 2 });
    sim.control.queueFaults('slots', ['429', '429']);
    const slots = await t.client.getSlots(slotsQuery());
    assert.ok(Object.keys(slots).length > 0);
    assert.equal(sim.control.stats().requests.slots, 3);
    assert.deepEqual(t.delays, [2000, 2000]);
    assert.deepEqual(t.observations.map((o) => o.status), ['429', '429', '200']);
    assert.deepEqual(t.observations.map((o) => o.attempt), [1, 2, 3]);
  });

  it('retries a read on 5xx with exponential backoff and jitter', async () => {
    sim.control.queueFaults('get_booking', ['5xx', '5xx', '5xx']);
    const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    const got = await t.client.getBooking(b.uid as string);
    assert.equal(got.uid, b.uid);
    assert.equal(sim.control.stats().requests.get_booking, 4);
    // random() = 0.5 → ¾ of 100, 200, 400
    assert.deepEqual(t.delays, [75, 150, 300]);
  });

  it('gives up after maxAttempts and reports the last status', async () => {
    sim.control.queueFaults('slots', ['5xx', '5xx', '5xx', '5xx', '5xx']);
    await assert.rejects(t.client.getSlots(slotsQuery()), (err: CalcomError) => {
      assert.equal(err.status, 500);
      assert.equal(err.attempts, 4);
      assert.equal(err.calcom?.code, 'InternalServerErrorException');
      return true;
    });
    assert.equal(sim.control.stats().requests.slots, 4);
  });

  it('does not wait for a reset longer than the caller can afford', async () => {
    sim.control.setFaults('slots', { retryAfterSeconds: 60 });
    sim.control.queueFaults('slots', ['429']);
    await assert.rejects(t.client.getSlots(slotsQuery()), (err: CalcomError) => err.status === 429 && err.retryAfterMs === 60_000);
    assert.deepEqual(t.delays, []);
  });

  it('retries a create on 429 (Cal.com did nothing) and books exactly once', async () => {
    sim.control.setFaults('create_booking', { retryAfterSeconds: 0 });
    sim.control.queueFaults('create_booking', ['429']);
    const b = await t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c-429' } });
    assert.equal(b.status, 'accepted');
    const stats = sim.control.stats();
    assert.equal(stats.requests.create_booking, 2);
    assert.equal(stats.bookings.total, 1);
  });

  it('never retries a create after a 5xx: the outcome is unknown', async () => {
    sim.control.queueFaults('create_booking', ['5xx']);
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee() }),
      (err: unknown) => isUnknownOutcome(err) && (err as CalcomError).status === 500,
    );
    assert.equal(sim.control.stats().requests.create_booking, 1);
  });

  it('times out per operation; reads retry, creates become unknown outcomes', async () => {
    const fast = testClient(sim, { timeouts: { default: 150, get_booking: 100 }, retries: { maxAttempts: 2 } });
    try {
      const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
      sim.control.queueFaults('get_booking', ['timeout', 'timeout']);
      const started = Date.now();
      await assert.rejects(fast.client.getBooking(b.uid as string), (err: CalcomError) => err.kind === 'timeout' && err.attempts === 2);
      assert.ok(Date.now() - started < 1500);
      assert.deepEqual(fast.observations.map((o) => o.status), ['timeout', 'timeout']);
      assert.equal(sim.control.stats().requests.get_booking, 2);

      // Latency above the timeout: same for a create, and it is not retried.
      sim.control.setLatency('create_booking', { kind: 'fixed', ms: 300 });
      await assert.rejects(
        fast.client.createBooking({ start: utc(nextMonday(11)), eventTypeId: 12, attendee: attendee() }),
        (err: unknown) => err instanceof CalcomUnknownOutcomeError && err.kind === 'timeout',
      );
      assert.equal(sim.control.stats().requests.create_booking, 1);
      // A per-call timeout overrides the configured one.
      const ok = await fast.client.createBooking({ start: utc(nextMonday(13)), eventTypeId: 12, attendee: attendee() }, { timeoutMs: 2000 });
      assert.equal(ok.status, 'accepted');
    } finally {
      await fast.client.close();
    }
  });

  it('retries even a create when the connection was refused', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const delays: number[] = [];
    const statuses: string[] = [];
    const client = new CalcomClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      retries: { maxAttempts: 3 },
      sleep: async (ms) => void delays.push(ms),
      onRequest: (o) => statuses.push(o.status),
    });
    try {
      await assert.rejects(
        client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee() }),
        (err: unknown) => err instanceof CalcomError && !isUnknownOutcome(err) && err.kind === 'network' && err.code === 'ECONNREFUSED',
      );
      assert.deepEqual(statuses, ['network', 'network', 'network']);
      assert.equal(delays.length, 2);
    } finally {
      await client.close();
    }
  });

  it('surfaces a 400 with Cal.com\'s own message', async () => {
    sim.control.setNow(nextMonday(12).toJSDate());
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee() }),
      (err: CalcomError) => {
        assert.equal(err.status, 400);
        assert.equal(err.operation, 'create_booking');
        assert.equal(err.calcom?.code, 'BadRequestException');
        assert.equal(err.calcom?.message, MSG_PAST);
        assert.match(err.message, /HTTP 400 BadRequestException: Attempting to book a meeting in the past/);
        assert.equal(isSlotTaken(err), false);
        return true;
      },
    );
    assert.equal(sim.control.stats().requests.create_booking, 1);
  });

  it('classifies an overlapping booking as slot taken (60 min at 10:00 vs 30 min at 10:30)', async () => {
    await t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 11, attendee: attendee() });
    await assert.rejects(
      t.client.createBooking({ start: utc(nextMonday(10, 30)), eventTypeId: 12, attendee: attendee('Max') }),
      (err: CalcomError) => err.status === 400 && err.calcom?.message === MSG_TAKEN && isSlotTaken(err),
    );
    assert.equal(sim.control.stats().overlappingActiveBookings, 0);
  });

  it('paces under the limit Cal.com\'s headers announce instead of running into the 429', async () => {
    sim.control.setRateLimit(2);
    try {
      await t.client.getSlots(slotsQuery());
      await t.client.getSlots(slotsQuery());
      // The second answer said "0 remaining, reset in 60 s": the third is not sent at all.
      await assert.rejects(t.client.getSlots(slotsQuery()), (err: CalcomError) => {
        assert.equal(err.kind, 'rate_limited');
        assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 50_000, `retryAfterMs=${err.retryAfterMs}`);
        return true;
      });
      assert.equal(sim.control.stats().requests.slots, 2);
      assert.equal(sim.control.stats().responses.slots?.['429'], undefined);
      assert.deepEqual(t.delays, []);
    } finally {
      sim.control.setRateLimit(null);
    }
  });

  it('a cancel whose answer was lost is repeated and converges', async () => {
    const b = sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    sim.control.queueFaults('cancel_booking', ['take_effect_then_drop']);
    const cancelled = await t.client.cancelBooking(b.uid as string);
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(t.observations.map((o) => `${o.operation}:${o.status}`), ['cancel_booking:network', 'cancel_booking:400', 'get_booking:200']);
  });

  it('logs a refusal with Cal.com\'s explanation and the payload shape, not its values', async () => {
    const entries: Array<{ level: string; obj: Record<string, any>; msg?: string }> = [];
    const spy = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj: obj as Record<string, any>, ...(msg && { msg }) });
    const logger: CalcomLogger = { debug: spy('debug'), info: spy('info'), warn: spy('warn'), error: spy('error') };
    const pinoCompatible: CalcomLogger = createLogger('silent'); // a pino logger fits the interface
    assert.ok(pinoCompatible);
    const logged = testClient(sim, { logger });
    try {
      sim.control.setNow(nextMonday(12).toJSDate());
      await assert.rejects(logged.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c-log' } }));
      const error = entries.find((e) => e.level === 'error');
      assert.ok(error, 'a 400 is logged at error level');
      assert.equal(error.obj.err.status, 400);
      assert.equal(error.obj.err.calcom.message, MSG_PAST);
      assert.equal(error.obj.requestShape.attendee.email, 'string');
      assert.equal(error.obj.requestShape.metadata.commandId, 'string');
      assert.ok(!JSON.stringify(entries).includes('erika@example.com'), 'no attendee data in logs');
    } finally {
      await logged.client.close();
    }
  });

  it('reports 404 for an unknown booking without retrying', async () => {
    await assert.rejects(t.client.getBooking('nope'), (err: CalcomError) => err.status === 404);
    assert.equal(sim.control.stats().requests.get_booking, 1);
  });
});
