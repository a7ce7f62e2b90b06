import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { slotKeyAt } from '../../src/actors/slot-key.ts';
import { COMPANY, customer, iso, startCoreHarness, upcomingWorkday, waitForRelease, ZONE, type CoreHarness } from '../helpers/core.ts';

let h: CoreHarness;
before(async () => {
  h = await startCoreHarness();
});
after(() => h.close());

test('a command whose effect failed transiently runs its effect anew when asked again: no stale result of the first run', async () => {
  const start = upcomingWorkday('11:00', 5);
  h.core.availability.invalidate(COMPANY, 'anna');
  h.sim.control.setFaults('slots', { rates: { '5xx': 1 } });
  const book = () => h.core.booking.book('retry-after-error', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(start), customer: customer(7) }, 15_000);
  const first = await book();
  assert.equal(first.status, 'error', JSON.stringify(first));
  h.sim.control.setFaults('slots', {});
  await waitForRelease(h, slotKeyAt(COMPANY, 'anna', start, ZONE), 'retry-after-error');
  const slotReadsBefore = h.sim.control.stats().requests.slots ?? 0;
  const again = await book();
  assert.equal(again.status, 'booked', JSON.stringify(again));
  assert.ok((h.sim.control.stats().requests.slots ?? 0) + (h.sim.control.stats().requests.create_booking ?? 0) > slotReadsBefore, 'Cal.com was asked again');
});
