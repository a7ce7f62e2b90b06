// The short forms of the load scenarios (npm run load), asserting what they must guarantee.
// Latency targets are measured by `npm run load -- --full`, not asserted here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { wholeCalls } from '../../bench/load/calls.ts';
import { flood } from '../../bench/load/flood.ts';
import { sameSlot } from '../../bench/load/same-slot.ts';
import { writeLoadCatalog, type LoadCompany } from '../../bench/stack/load-catalog.ts';
import { Stack } from '../../bench/stack/stack.ts';

let dir: string;
let catalog: { file: string; companies: LoadCompany[] };
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbr-load-test-'));
  catalog = writeLoadCatalog(dir, 20);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withStack<T>(options: { simLatency: string; simRateLimit?: number }, run: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await Stack.start({ catalogFile: catalog.file, ...options });
  try {
    return await run(stack);
  } finally {
    await stack.stop();
  }
}

test('same slot, 50 bookings/s for 2 s: exactly one booking, everyone else gets alternatives, no 5xx', async () => {
  const result = await withStack({ simLatency: 'production' }, (stack) => sameSlot(stack, catalog.companies[0]!, { rate: 50, seconds: 2 }));
  assert.equal(result.requests, 100);
  assert.deepEqual(result.outcomes, { booked: 1, slot_no_longer_available: 99 });
  assert.equal(result.calcomBookings, 1);
  assert.equal(result.localBookings, 1);
  assert.equal(result.refusedWithAlternatives, 99);
  assert.equal(result.non2xx, 0);
});

test('availability flood against a Cal.com limited to 120 requests/min: served from the cache, never a 429', async () => {
  const result = await withStack({ simLatency: 'production', simRateLimit: 120 }, (stack) =>
    flood(stack, catalog.companies[1]!, { rate: 100, seconds: 8, warmupSeconds: 3 }),
  );
  assert.equal(result.non2xx, 0);
  assert.equal(result.calcom429, 0);
  assert.ok(result.afterWarmup.hitRatio >= 0.99, `hit ratio ${result.afterWarmup.hitRatio}`);
  assert.ok(result.calcomSlotsRequests < 10, `${result.calcomSlotsRequests} slots requests for 800 reads`);
});

test('whole calls, 5 new callers/s: every bookable request is booked', async () => {
  const result = await withStack({ simLatency: '150' }, (stack) =>
    wholeCalls(stack, catalog.companies, { callersPerSecond: 5, seconds: 4, thinkMs: [200, 500] }),
  );
  assert.ok(result.bookAttempts >= 15, `${result.bookAttempts} bookings attempted`);
  assert.equal(result.transportErrors, 0);
  assert.ok(result.bookedOfBookable >= 0.99, JSON.stringify(result.otherOutcomes));
  for (const [fn, figures] of Object.entries(result.byFunction)) assert.equal(figures.non2xx, 0, fn);
});
