// Stopping the service while a request is still running: the request is answered, and its
// keep-alive connection does not hold the shutdown open for the keep-alive timeout (65 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signRetellBody } from '../../src/retell/signature.ts';
import { germanDate, mobile, request, startServiceHarness, waitFor, workdayAhead } from '../helpers/service.ts';

test('stop() while a booking is in flight answers it and closes its connection promptly', async () => {
  const h = await startServiceHarness();
  let stopped = false;
  try {
    const caller = h.caller(mobile(1));
    // a keep-alive connection that has already served a request
    assert.equal((await caller.fn('list_services')).status, 200);
    h.sim.control.setLatency('create_booking', { kind: 'fixed', ms: 800 });
    const raw = JSON.stringify({ call: caller.call, name: 'book_appointment', args: { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(workdayAhead(3)), uhrzeit: '10:00', name: 'Letzter Kunde' } });
    const inFlight = request(`${h.url}/retell/function`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(raw, h.service.retellApiKey) } });
    await waitFor(() => (h.sim.control.stats().requests.create_booking ?? 0) > 0, 'the booking to reach Cal.com');

    const started = performance.now();
    await h.stop();
    stopped = true;
    const took = performance.now() - started;
    const res = await inFlight;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json?.success, true, res.text);
    assert.equal(res.headers.get('connection'), 'close', 'the last answer tells the client to close');
    assert.ok(took < 10_000, `stop() took ${took.toFixed(0)} ms`);
  } finally {
    if (!stopped) await h.stop();
  }
});
