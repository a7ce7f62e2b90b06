/*
 * Cal.com's throttler (apps/api/v2/src/lib/throttler/throttler-guard.ts): per API key
 * 120 requests per 60 s window by default (RATE_LIMIT_DEFAULT_LIMIT_API_KEY), a caller over
 * it is blocked for 60 s; every answer carries `X-RateLimit-Limit-<Name>`,
 * `X-RateLimit-Remaining-<Name>` and `X-RateLimit-Reset-<Name>` (seconds; the block's
 * remaining time while blocked), Name = the throttler's name with a capital first letter
 * ("Default"). There is no Retry-After. A request is refused only when every named limit
 * is exhausted.
 *
 * The pacer keeps us under that limit instead of running into it: it learns the limit and
 * what is left from the headers of every answer, counts its own sends in a sliding window,
 * and tells each request how long to wait — or that waiting would outlast its deadline.
 */

type HeaderBag = Record<string, string | string[] | undefined>;

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Seconds until the window (or the block) ends. */
  resetSeconds: number;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The most permissive of the named limits an answer reports (Cal.com refuses only when all
 * are exhausted), or undefined when the answer carries none.
 */
export function parseRateLimitHeaders(headers: HeaderBag): RateLimitSnapshot | undefined {
  const byName = new Map<string, Partial<RateLimitSnapshot>>();
  for (const [key, value] of Object.entries(headers)) {
    const m = /^x-ratelimit-(limit|remaining|reset)(?:-(.+))?$/i.exec(key);
    if (!m) continue;
    const n = Number(first(value));
    if (!Number.isFinite(n)) continue;
    const name = (m[2] ?? '').toLowerCase();
    const entry = byName.get(name) ?? {};
    const field = m[1]!.toLowerCase();
    if (field === 'limit') entry.limit = n;
    else if (field === 'remaining') entry.remaining = n;
    else entry.resetSeconds = n;
    byName.set(name, entry);
  }
  let best: RateLimitSnapshot | undefined;
  for (const e of byName.values()) {
    if (e.limit === undefined || e.remaining === undefined) continue;
    const snap = { limit: e.limit, remaining: e.remaining, resetSeconds: e.resetSeconds ?? 60 };
    if (!best || snap.remaining > best.remaining) best = snap;
  }
  return best;
}

export interface RateLimitPacerOptions {
  /** Monotonic ms clock (the client's). */
  now: () => number;
  /** Requests per window before any answer told us the real limit; undefined: no pacing until then. */
  perMinute?: number;
  /** Sliding window; a second more than Cal.com's 60 s so that arrival jitter cannot squeeze 121 into one of its windows. */
  windowMs?: number;
}

/**
 * Paces requests of one API key under Cal.com's limit. `schedule(maxWaitMs)` books a send
 * time for the next request and returns how long to wait before sending, or undefined
 * (nothing booked) when that wait would exceed `maxWaitMs`.
 */
export class RateLimitPacer {
  private readonly now: () => number;
  private readonly windowMs: number;
  private limit: number | undefined;
  /** Booked send times, ascending. */
  private sends: number[] = [];
  /** The server's word: `remaining` requests until `resetAt`, of which `used` were booked since. */
  private server: { remaining: number; resetAt: number; observedAfter: number } | undefined;
  private blockedUntil = 0;

  constructor(options: RateLimitPacerOptions) {
    this.now = options.now;
    this.windowMs = options.windowMs ?? 61_000;
    this.limit = options.perMinute;
  }

  /** The limit currently paced to (learned from Cal.com's headers or configured). */
  get currentLimit(): number | undefined {
    return this.limit;
  }

  schedule(maxWaitMs: number): number | undefined {
    const now = this.now();
    // `sends` stays ascending, so every count below is a binary search: with a busy key the
    // window holds a thousand sends, and filtering them on each request cost ~70 µs.
    this.sends.splice(0, firstAbove(this.sends, now - this.windowMs));
    let t = Math.max(now, this.blockedUntil);
    for (let i = 0; i < 4; i++) {
      const before = t;
      const s = this.server;
      if (s && t < s.resetAt && this.bookedSince(s.observedAfter, s.resetAt) >= s.remaining) t = s.resetAt;
      if (this.limit !== undefined) {
        const last = firstAbove(this.sends, t); // sends in (t - window, t] end here
        const inWindow = last - firstAbove(this.sends, t - this.windowMs);
        if (inWindow >= this.limit) t = Math.max(t, this.sends[last - this.limit]! + this.windowMs);
      }
      if (t === before) break;
    }
    if (t - now > maxWaitMs) return undefined;
    this.sends.splice(firstAbove(this.sends, t), 0, t);
    return t - now;
  }

  /** Earliest time a request could go out now (for the error of a request that may not wait). */
  nextFreeInMs(): number {
    const saved = [...this.sends];
    const wait = this.schedule(Number.POSITIVE_INFINITY) ?? 0;
    this.sends = saved;
    return wait;
  }

  /** What an answer said; `sentAt` is when its request went out (requests booked after it are not in `remaining`). */
  observe(headers: HeaderBag, sentAt: number): void {
    const snap = parseRateLimitHeaders(headers);
    if (!snap) return;
    const now = this.now();
    this.limit = snap.limit;
    this.server = { remaining: snap.remaining, resetAt: now + snap.resetSeconds * 1000, observedAfter: sentAt };
  }

  /** A 429: nothing goes out before `waitMs` from now. */
  block(waitMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + waitMs);
    if (this.server) this.server.remaining = 0;
  }

  /** Sends booked in (after, until). */
  private bookedSince(after: number, until: number): number {
    return Math.max(0, firstIndex(this.sends, (x) => x >= until) - firstAbove(this.sends, after));
  }
}

/** Index of the first element of an ascending array greater than `value` (its length if none). */
const firstAbove = (sorted: readonly number[], value: number): number => firstIndex(sorted, (x) => x > value);

/** Index of the first element for which `reached` holds, in an ascending array where it holds from some point on. */
function firstIndex(sorted: readonly number[], reached: (x: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reached(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
