// At start the core reads the catalog's event types from Cal.com and refuses a catalog Cal.com
// cannot book (exit 78 in the CLI): here, a composite service whose segments sit closer together
// than Cal.com's buffers allow (Cal.com keeps beforeEventBuffer/afterEventBuffer free around each
// booking: packages/features/availability/lib/getUserAvailability.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CatalogError } from '../../src/catalog/index.ts';
import { startCoreHarness, type CoreHarness } from '../helpers/core.ts';

let h: CoreHarness;
before(async () => {
  h = await startCoreHarness();
});
after(() => h?.close());

function setAfterBuffer(eventTypeId: number, minutes: number) {
  const et = h.sim.control.eventTypes().find((e) => e.id === eventTypeId)!;
  h.sim.control.addEventType({ id: et.id, slug: et.slug, title: et.title, lengthInMinutes: et.lengthInMinutes, hostId: et.hostId, slotIntervalMinutes: et.slotIntervalMinutes, afterEventBuffer: minutes });
}

test('segments 30 min apart start with Cal.com buffers of 15 min; with 45 min the start is refused naming the service', async () => {
  setAfterBuffer(1003, 15);
  const fits = await h.startCore({ eventTypeRefreshMs: 0 });
  await fits.close();

  setAfterBuffer(1003, 45);
  await assert.rejects(h.startCore({ eventTypeRefreshMs: 0 }), (error: Error) => {
    assert.ok(error instanceof CatalogError, String(error));
    assert.match(error.message, /faerben-schneiden: segment 1 starts 30 min after segment 0/);
    assert.match(error.message, /need 45 min/);
    return true;
  });
  setAfterBuffer(1003, 0);
});
