// Scenario 2 — "availability flood": 100 requests/s at random times of one service's week.
// After warm-up ≥ 99 % of reads are served from the cache, cache hits answer in ≤ 5 ms at
// p95, and Cal.com (rate-limited like the real one) never answers 429.
import { randomUUID } from 'node:crypto';
import { summarize } from '../lib.ts';
import type { LoadCompany } from '../stack/load-catalog.ts';
import type { Stack } from '../stack/stack.ts';
import { counter, germanDate, runOpenLoop, scrape, workdays } from './common.ts';

export async function flood(stack: Stack, company: LoadCompany, options: { rate: number; seconds: number; warmupSeconds: number }) {
  // One service's week: the working days of the week after next, times on the half hour.
  const monday = workdays(7, 7).find((d) => d.weekday === 1)!;
  const days = [0, 1, 2, 3, 4, 5].map((i) => monday.plus({ days: i }));
  const hit: number[] = [];
  const waited: number[] = [];
  let warmupCache: Map<string, number> | undefined;
  let inWarmup = true;
  const started = performance.now();
  setTimeout(async () => {
    warmupCache = await scrape(stack.url, 'availability_cache_requests_total');
    inWarmup = false;
  }, options.warmupSeconds * 1000);

  const result = await runOpenLoop(stack, {
    rate: options.rate,
    seconds: options.seconds,
    next: () => {
      const day = days[Math.floor(Math.random() * days.length)]!;
      const minutes = 8 * 60 + 30 * Math.floor(Math.random() * 24);
      return {
        call: { call_id: `flood_${randomUUID()}`, to_number: company.phone, from_number: '+4915100000000', direction: 'inbound' },
        name: 'check_availability',
        args: { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` },
      };
    },
    onAnswer: (_status, _body, latencyMs, calcomMs) => {
      if (!inWarmup) (calcomMs === 0 ? hit : waited).push(latencyMs);
    },
  });

  const end = await scrape(stack.url, 'availability_cache_requests_total');
  const delta = (result: string) => counter(end, result) - counter(warmupCache ?? new Map(), result);
  const [hits, stale, misses] = [delta('result="hit"'), delta('result="stale"'), delta('result="miss"')];
  const stats = await stack.sim.stats();
  const elapsed = performance.now() - started - options.warmupSeconds * 1000;
  const cacheHits = summarize(hit, elapsed);
  const hitRatio = (hits + stale) / Math.max(1, hits + stale + misses);
  const calcom429 = stats.responses.slots?.['429'] ?? 0;
  return {
    requests: result.sent,
    non2xx: result.non2xx,
    transportErrors: result.errors,
    afterWarmup: { cacheLookups: { hit: hits, stale, miss: misses }, hitRatio: Math.round(hitRatio * 10000) / 10000 },
    cacheHitLatencyMs: cacheHits,
    calcomWaitLatencyMs: summarize(waited, elapsed),
    calcomSlotsRequests: stats.requests.slots ?? 0,
    calcom429,
    ok: hitRatio >= 0.99 && cacheHits.p95 <= 5 && calcom429 === 0 && result.non2xx === 0 && result.errors === 0,
  };
}
