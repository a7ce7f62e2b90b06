import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { AvailabilityCache, type CacheResult, type CalendarWeek } from '../../src/availability/cache.ts';
import { InvalidationBus } from '../../src/availability/invalidation-bus.ts';
import { CalcomClient } from '../../src/calcom/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { startCalcomSimulator, type CalcomSimulator } from '../../src/simulator/index.ts';
import { simulatorOptionsFromCatalog } from '../../src/simulator/from-catalog.ts';
import { COMPANY, SAMPLE_CATALOG_FILE, upcomingWorkday, waitFor, ZONE } from '../helpers/core.ts';
import { startTestRedis, uniquePrefix } from '../helpers/redis.ts';

describe('availability cache against the Cal.com simulator', () => {
  let sim: CalcomSimulator;
  let calcom: CalcomClient;
  before(async () => {
    sim = await startCalcomSimulator({ port: 0, apiKey: 'cal_test_key', ...simulatorOptionsFromCatalog(loadCatalog(SAMPLE_CATALOG_FILE)) });
    calcom = new CalcomClient({ baseUrl: sim.url, apiKey: 'cal_test_key' });
  });
  after(async () => {
    await calcom.close();
    await sim.close();
  });
  beforeEach(() => sim.control.reset());

  /** A cache over the simulator that counts what it observed. */
  function cacheWith(options: { ttlMs?: number; staleMs?: number; warmNextWeek?: boolean; now?: () => number } = {}) {
    const seen: Record<CacheResult, number> = { hit: 0, miss: 0, stale: 0 };
    const cache = new AvailabilityCache({ source: calcom, warmNextWeek: false, ...options, observe: (r) => seen[r]++ });
    return { cache, seen };
  }
  const slotRequests = () => sim.control.stats().requests.slots ?? 0;
  const weekOf = (at: number, eventTypeId = 1001, calendarKey = 'anna'): CalendarWeek => ({ companyId: COMPANY, calendarKey, eventTypeId, zone: ZONE, at });
  const nextWeek = (week: CalendarWeek): CalendarWeek => ({ ...week, at: DateTime.fromMillis(week.at, { zone: ZONE }).plus({ weeks: 1 }).toMillis() });

  test('100 concurrent reads of a cold week make exactly one Cal.com request', async () => {
    const { cache, seen } = cacheWith();
    const week = weekOf(upcomingWorkday('10:00', 8));
    const views = await Promise.all(Array.from({ length: 100 }, () => cache.week(week)));
    assert.equal(slotRequests(), 1);
    assert.ok(views.every((v) => v === views[0]), 'every reader got the one answer');
    assert.ok(views[0]!.starts.includes(upcomingWorkday('10:00', 8)), 'the answer holds the week’s slots');
    assert.deepEqual(seen, { hit: 0, miss: 100, stale: 0 });

    const again = await cache.week(week);
    assert.equal(again, views[0]);
    assert.equal(slotRequests(), 1, 'a later read is served from the cache');
    assert.deepEqual(seen, { hit: 1, miss: 100, stale: 0 });
  });

  test('a miss warms the next week once; reading it then is a hit', async () => {
    const { cache, seen } = cacheWith({ warmNextWeek: true });
    const week = weekOf(upcomingWorkday('10:00', 8));
    await Promise.all(Array.from({ length: 20 }, () => cache.week(week)));
    await waitFor(() => cache.freshView(nextWeek(week), 60_000), 'the next week to be warmed');
    assert.equal(slotRequests(), 2, 'this week and the next, once each');
    const warmed = await cache.week(nextWeek(week));
    assert.equal(slotRequests(), 2, 'the warmed week needs no request');
    assert.deepEqual(seen, { hit: 1, miss: 20, stale: 0 });
    assert.ok(warmed.starts.length > 0 && warmed.starts.every((t) => t >= DateTime.fromMillis(nextWeek(week).at, { zone: ZONE }).startOf('week').toMillis()));
  });

  test('after the TTL a read returns the old view as stale and triggers exactly one refresh', async () => {
    let clock = Date.now();
    const { cache, seen } = cacheWith({ ttlMs: 1000, staleMs: 5000, now: () => clock });
    const slot = upcomingWorkday('11:00', 8);
    const week = weekOf(slot);
    const first = await cache.week(week);
    assert.ok(first.starts.includes(slot));

    {
      // Someone books the slot on the Cal.com page; the cache does not know yet.
      sim.control.createExternalBooking({ eventTypeId: 1001, start: new Date(slot).toISOString() });
      clock += 1001;
      const stale = await Promise.all(Array.from({ length: 10 }, () => cache.week(week)));
      assert.ok(stale.every((v) => v === first), 'the old view is served without waiting');
      assert.deepEqual(seen, { hit: 0, miss: 1, stale: 10 });
      await waitFor(() => cache.freshView(week, 1000), 'the background refresh');
      assert.equal(slotRequests(), 2, 'ten stale reads, one refresh');
    }

    const fresh = await cache.week(week);
    assert.notEqual(fresh, first);
    assert.ok(!fresh.starts.includes(slot), 'the refreshed view knows the slot is taken');
    assert.equal(seen.hit, 1);

    // Past TTL + stale window the entry is not served at all: the reader waits for Cal.com.
    clock += 1000 + 5000 + 1;
    await cache.week(week);
    assert.equal(seen.miss, 2);
    assert.equal(slotRequests(), 3);
  });

  test('after invalidate the next read is a miss', async () => {
    const { cache, seen } = cacheWith();
    const week = weekOf(upcomingWorkday('10:00', 8));
    const other = weekOf(upcomingWorkday('10:00', 8), 1002, 'bert');
    await cache.week(week);
    await cache.week(other);
    cache.invalidate(COMPANY, 'anna', { zone: ZONE, at: week.at });
    assert.equal(cache.freshView(week, 60_000), undefined);
    assert.ok(cache.freshView(other, 60_000), 'another calendar keeps its entry');
    await cache.week(week);
    assert.deepEqual(seen, { hit: 0, miss: 3, stale: 0 });
    assert.equal(slotRequests(), 3);
  });

  test('a fetch that began before an invalidation does not put its answer in the cache', async () => {
    const { cache, seen } = cacheWith();
    const slot = upcomingWorkday('12:00', 8);
    const week = weekOf(slot);
    sim.control.setLatency('slots', { kind: 'fixed', ms: 300 });
    const early = cache.week(week);
    await waitFor(() => slotRequests() === 1, 'the first fetch to reach Cal.com');
    // A booking lands while the fetch is in flight: its answer may predate it.
    sim.control.createExternalBooking({ eventTypeId: 1001, start: new Date(slot).toISOString() });
    cache.invalidate(COMPANY, 'anna', { zone: ZONE, at: slot });
    // A reader after the invalidation does not join the old fetch.
    const late = cache.week(week);
    const [earlyView, lateView] = await Promise.all([early, late]);
    assert.equal(slotRequests(), 2);
    assert.ok(!lateView.starts.includes(slot), 'the later fetch saw the booking');
    assert.notEqual(earlyView, lateView);
    assert.equal(await cache.week(week), lateView, 'only the later answer was cached');
    assert.deepEqual(seen, { hit: 1, miss: 2, stale: 0 });
    assert.equal(slotRequests(), 2);
  });

  test('an early fetch finishing after a later one never overwrites it', async () => {
    const { cache } = cacheWith();
    const slot = upcomingWorkday('12:30', 8);
    const week = weekOf(slot);
    sim.control.setLatency('slots', { kind: 'fixed', ms: 400 });
    const early = cache.week(week);
    await waitFor(() => slotRequests() === 1, 'the first fetch to reach Cal.com');
    cache.invalidate(COMPANY, 'anna', { zone: ZONE, at: slot });
    sim.control.setLatency('slots', { kind: 'none' });
    const lateView = await cache.week(week); // answers before the early one
    await early;
    assert.equal(cache.freshView(week, 60_000), lateView);
  });

  test('invalidating one week keeps an in-flight fetch of another week; invalidating all weeks drops it', async () => {
    const { cache } = cacheWith();
    const thisWeek = weekOf(upcomingWorkday('10:00', 8));
    const following = nextWeek(thisWeek);
    sim.control.setLatency('slots', { kind: 'fixed', ms: 200 });

    const pending = cache.week(following);
    await waitFor(() => slotRequests() === 1, 'the fetch to start');
    cache.invalidate(COMPANY, 'anna', { zone: ZONE, at: thisWeek.at });
    await pending;
    assert.ok(cache.freshView(following, 60_000), 'a booking in another week does not void this answer');

    cache.invalidate(COMPANY, 'anna'); // e.g. a webhook that does not say which week
    assert.equal(cache.freshView(following, 60_000), undefined);
    const again = cache.week(following);
    await waitFor(() => slotRequests() === 2, 'the refetch to start');
    cache.invalidate(COMPANY, 'anna');
    await again;
    assert.equal(cache.freshView(following, 60_000), undefined, 'an all-weeks invalidation voids in-flight answers');
  });

  test('a failed fetch is not cached; the next read asks again', async () => {
    const { cache } = cacheWith();
    const week = weekOf(upcomingWorkday('10:00', 9));
    sim.control.setFaults('slots', { rates: { '5xx': 1 } });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.week(week)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    const failedRequests = slotRequests();
    assert.equal(failedRequests, 3, 'one call (with the client’s own retries) for all five readers');
    sim.control.setFaults('slots', {});
    const view = await cache.week(week);
    assert.ok(view.starts.length > 0);
    assert.equal(slotRequests(), failedRequests + 1);
  });
});

describe('invalidation bus: two processes, one Redis', () => {
  let sim: CalcomSimulator;
  let calcom: CalcomClient;
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  before(async () => {
    redis = await startTestRedis();
    sim = await startCalcomSimulator({ port: 0, apiKey: 'cal_test_key', ...simulatorOptionsFromCatalog(loadCatalog(SAMPLE_CATALOG_FILE)) });
    calcom = new CalcomClient({ baseUrl: sim.url, apiKey: 'cal_test_key' });
  });
  after(async () => {
    await calcom.close();
    await sim.close();
    await redis.stop();
  });

  test('invalidating on one process drops the other process’s entry for that calendar-week only', async () => {
    const channel = `${uniquePrefix('bus')}:availability`;
    const a = new AvailabilityCache({ source: calcom, warmNextWeek: false });
    const b = new AvailabilityCache({ source: calcom, warmNextWeek: false });
    const busA = await InvalidationBus.open(a, connectRedis(redis.endpoint), connectRedis(redis.endpoint), channel);
    const busB = await InvalidationBus.open(b, connectRedis(redis.endpoint), connectRedis(redis.endpoint), channel);
    try {
      const at = upcomingWorkday('10:00', 8);
      const week: CalendarWeek = { companyId: COMPANY, calendarKey: 'anna', eventTypeId: 1001, zone: ZONE, at };
      const later: CalendarWeek = { ...week, at: at + 7 * 86_400_000 };
      const otherCalendar: CalendarWeek = { ...week, calendarKey: 'bert', eventTypeId: 1002 };
      for (const cache of [a, b]) for (const w of [week, later, otherCalendar]) await cache.week(w);

      busA.invalidate(COMPANY, 'anna', at, ZONE);
      assert.equal(a.freshView(week, 60_000), undefined, 'the sender drops its own entry at once');
      await waitFor(() => b.freshView(week, 60_000) === undefined, 'the other process to drop the entry');
      assert.ok(b.freshView(later, 60_000), 'the next week stays');
      assert.ok(b.freshView(otherCalendar, 60_000), 'another calendar stays');
      assert.ok(a.freshView(later, 60_000) && a.freshView(otherCalendar, 60_000));

      // And the other way round.
      busB.invalidate(COMPANY, 'bert', at, ZONE);
      await waitFor(() => a.freshView(otherCalendar, 60_000) === undefined, 'the first process to drop the entry');
      assert.ok(a.freshView(later, 60_000));
    } finally {
      await busA.close();
      await busB.close();
    }
  });
});
