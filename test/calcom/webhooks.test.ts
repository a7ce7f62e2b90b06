import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { NO_SECRET_SIGNATURE, signCalPayload, verifyCalSignature } from '../../src/calcom/index.ts';
import type { CalcomSimulator } from '../../src/simulator/index.ts';
import { attendee, nextMonday, startSim, testClient, utc } from './helpers.ts';

interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

const SECRET = 'whsec_test_123';

describe('Cal.com-style webhooks from the simulator', () => {
  let sim: CalcomSimulator;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  /** The receiver answers each webhook once this resolves (a test may hold it back). */
  let answerWebhooks: Promise<void> = Promise.resolve();

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ raw: Buffer.concat(chunks), headers: req.headers });
        void answerWebhooks.then(() => res.writeHead(200).end('ok'));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/calcom/webhook`;
    sim = await startSim({ webhook: { url: receiverUrl, secret: SECRET } });
  });
  after(async () => {
    await sim.close();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });
  beforeEach(() => {
    sim.control.reset();
    received.length = 0;
  });

  it('delivers BOOKING_CREATED with a signature that verifies; a tampered body does not', async () => {
    const t = testClient(sim);
    try {
      const booking = await t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'cmd-w1' } });
      await sim.control.flushWebhooks();
      assert.equal(received.length, 1);
      const [hook] = received as [Received];
      assert.equal(hook.headers['x-cal-webhook-version'], '2021-10-20');
      assert.ok(verifyCalSignature(hook.raw, hook.headers['x-cal-signature-256'], SECRET));

      const body = JSON.parse(hook.raw.toString('utf8'));
      assert.equal(body.triggerEvent, 'BOOKING_CREATED');
      assert.ok(Date.parse(body.createdAt) > 0);
      assert.equal(body.payload.uid, booking.uid);
      assert.equal(body.payload.bookingId, booking.id);
      assert.equal(body.payload.eventTypeId, 12);
      assert.equal(body.payload.status, 'ACCEPTED');
      assert.equal(body.payload.startTime, booking.start);
      assert.equal(body.payload.metadata.commandId, 'cmd-w1');
      assert.equal(body.payload.attendees[0].email, 'erika@example.com');

      const tampered = Buffer.from(hook.raw.toString('utf8').replace('cmd-w1', 'cmd-w2'));
      assert.equal(verifyCalSignature(tampered, hook.headers['x-cal-signature-256'], SECRET), false);
      assert.equal(verifyCalSignature(hook.raw, hook.headers['x-cal-signature-256'], 'wrong-secret'), false);
      assert.equal(verifyCalSignature(hook.raw, undefined, SECRET), false);
      assert.equal(verifyCalSignature(hook.raw, 'zz', SECRET), false);
    } finally {
      await t.client.close();
    }
  });

  // Cal.com answers an API request only after the webhooks it caused were delivered: the booking
  // handler awaits handleWebhookTrigger, which awaits every sendPayload
  // (packages/features/bookings/lib/service/RegularBookingService.ts, .../handleWebhookTrigger.ts;
  // handleCancelBooking.ts awaits its sendPayload promises the same way).
  it('delivers a request’s webhooks before it answers the request: create, reschedule and cancel', async () => {
    const t = testClient(sim);
    try {
      const b = await t.client.createBooking({ start: utc(nextMonday(10)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'cmd-w0' } });
      assert.deepEqual(received.map((r) => JSON.parse(r.raw.toString('utf8')).triggerEvent), ['BOOKING_CREATED'], 'received before the create answered');
      const moved = await t.client.rescheduleBooking(b.uid, { start: utc(nextMonday(12)) });
      assert.equal(received.length, 2, 'the reschedule’s webhook was received before its answer');
      await t.client.cancelBooking(moved.uid, { cancellationReason: 'krank' });
      assert.deepEqual(
        received.map((r) => JSON.parse(r.raw.toString('utf8')).triggerEvent),
        ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'],
      );
    } finally {
      await t.client.close();
    }
  });

  it('a request that caused no webhook (a read) does not wait for another request’s delivery', async () => {
    const t = testClient(sim);
    let release!: () => void;
    answerWebhooks = new Promise((resolve) => (release = resolve));
    try {
      let createAnswered = false;
      const create = t.client.createBooking({ start: utc(nextMonday(11)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'cmd-w2' } }).then((b) => ((createAnswered = true), b));
      for (const until = Date.now() + 5000; received.length === 0; await new Promise((r) => setTimeout(r, 5))) {
        if (Date.now() > until) throw new Error('the webhook never arrived');
      }
      const day = nextMonday(9);
      const slots = await t.client.getSlots({ eventTypeId: 12, start: utc(day.startOf('day')), end: utc(day.endOf('day')) });
      assert.ok(Object.keys(slots).length > 0, 'the read answered');
      assert.equal(createAnswered, false, 'while the create still waits for its webhook to be taken');
      release();
      await create;
    } finally {
      release();
      answerWebhooks = Promise.resolve();
      await t.client.close();
    }
  });

  it('signs reschedules and cancellations, and external bookings fire webhooks too', async () => {
    const t = testClient(sim);
    try {
      const b = await t.client.createBooking({ start: utc(nextMonday(9)), eventTypeId: 12, attendee: attendee(), metadata: { commandId: 'c' } });
      const moved = await t.client.rescheduleBooking(b.uid, { start: utc(nextMonday(12)) });
      await t.client.cancelBooking(moved.uid, { cancellationReason: 'krank' });
      const ext = sim.control.createExternalBooking({ eventTypeId: 11, start: utc(nextMonday(15)) });
      sim.control.cancelExternalBooking(ext.uid as string, 'per Telefon');
      await sim.control.flushWebhooks();

      const bodies = received.map((r) => {
        assert.ok(verifyCalSignature(r.raw, r.headers['x-cal-signature-256'], SECRET));
        return JSON.parse(r.raw.toString('utf8'));
      });
      assert.deepEqual(
        bodies.map((x) => x.triggerEvent),
        ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'BOOKING_CREATED', 'BOOKING_CANCELLED'],
      );
      const [, rescheduled, cancelled, , extCancelled] = bodies;
      assert.equal(rescheduled.payload.uid, moved.uid);
      assert.equal(rescheduled.payload.rescheduleUid, b.uid);
      assert.equal(rescheduled.payload.rescheduleStartTime, b.start);
      assert.equal(cancelled.payload.status, 'CANCELLED');
      assert.equal(cancelled.payload.cancellationReason, 'krank');
      assert.equal(extCancelled.payload.uid, ext.uid);
      assert.deepEqual(sim.control.stats().webhooks, { sent: 5, delivered: 5, failed: 0 });
    } finally {
      await t.client.close();
    }
  });

  it('can be pointed elsewhere at runtime, or sent unsigned', async () => {
    sim.control.setWebhook({ url: receiverUrl });
    sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(9)) });
    sim.control.setWebhook(null);
    sim.control.createExternalBooking({ eventTypeId: 12, start: utc(nextMonday(11)) });
    await sim.control.flushWebhooks();
    assert.equal(received.length, 1);
    assert.equal(received[0]?.headers['x-cal-signature-256'], NO_SECRET_SIGNATURE);
    sim.control.setWebhook({ url: receiverUrl, secret: SECRET });
  });

  it('signCalPayload is the hex HMAC-SHA256 of the raw body', () => {
    // The well-known HMAC-SHA256 test vector.
    const msg = 'The quick brown fox jumps over the lazy dog';
    assert.equal(signCalPayload(msg, 'key'), 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    assert.equal(signCalPayload(Buffer.from(msg), 'key'), signCalPayload(msg, 'key'));
  });
});
