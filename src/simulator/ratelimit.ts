/**
 * Cal.com's throttler: at most `limit` requests per 60 s window per caller (API key,
 * else client address); a caller over the limit is blocked for 60 s. Its 429 carries
 * X-RateLimit-* headers but, as far as we know, no Retry-After.
 */
export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

const WINDOW_MS = 60_000;
const BLOCK_MS = 60_000;

interface Bucket {
  windowStart: number;
  count: number;
  blockedUntil: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private limit: number | undefined,
    private readonly clock: () => number,
  ) {}

  /** Requests per minute per caller; undefined when limiting is off. */
  get perMinute(): number | undefined {
    return this.limit;
  }

  /** undefined switches limiting off. */
  setLimit(limit: number | undefined): void {
    this.limit = limit;
    this.buckets.clear();
  }

  check(caller: string): RateLimitVerdict {
    if (this.limit === undefined) return { allowed: true, headers: {} };
    const now = this.clock();
    let b = this.buckets.get(caller);
    if (!b || now - b.windowStart >= WINDOW_MS) {
      b = { windowStart: now, count: 0, blockedUntil: b?.blockedUntil ?? 0 };
      this.buckets.set(caller, b);
    }
    b.count++;
    if (b.count > this.limit && b.blockedUntil <= now) b.blockedUntil = now + BLOCK_MS;
    const blocked = b.blockedUntil > now;
    const resetMs = blocked ? b.blockedUntil - now : b.windowStart + WINDOW_MS - now;
    return {
      allowed: !blocked,
      headers: {
        'x-ratelimit-limit-default': String(this.limit),
        'x-ratelimit-remaining-default': String(Math.max(0, this.limit - b.count)),
        'x-ratelimit-reset-default': String(Math.ceil(resetMs / 1000)),
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
