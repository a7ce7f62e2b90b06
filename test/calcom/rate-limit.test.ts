// The pacer answers in a handful of binary searches; this pins that it books exactly the send
// times of the plain version it replaced (filter the window, count, insert) under random traffic:
// learned limits (Cal.com's X-RateLimit-* headers, apps/api/v2/src/lib/throttler/throttler-guard.ts),
// 429 blocks, deadlines too short to wait, and clocks standing still or jumping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitPacer } from '../../src/calcom/rate-limit.ts';

/** The pacer as it was written first: every count a filter over the window. */
class PlainPacer {
  private sends: number[] = [];
  private server: { remaining: number; resetAt: number; observedAfter: number } | undefined;
  private blockedUntil = 0;
  constructor(
    private readonly now: () => number,
    private limit: number | undefined,
    private readonly windowMs = 61_000,
  ) {}
  schedule(maxWaitMs: number): number | undefined {
    const now = this.now();
    this.sends = this.sends.filter((t) => t > now - this.windowMs);
    let t = Math.max(now, this.blockedUntil);
    for (let i = 0; i < 4; i++) {
      const before = t;
      const s = this.server;
      if (s && t < s.resetAt && this.sends.filter((x) => x > s.observedAfter && x < s.resetAt).length >= s.remaining) t = s.resetAt;
      if (this.limit !== undefined) {
        const inWindow = this.sends.filter((x) => x > t - this.windowMs && x <= t);
        if (inWindow.length >= this.limit) t = Math.max(t, inWindow[inWindow.length - this.limit]! + this.windowMs);
      }
      if (t === before) break;
    }
    if (t - now > maxWaitMs) return undefined;
    const at = this.sends.findIndex((x) => x > t);
    if (at === -1) this.sends.push(t);
    else this.sends.splice(at, 0, t);
    return t - now;
  }
  observe(limit: number, remaining: number, resetSeconds: number, sentAt: number): void {
    this.limit = limit;
    this.server = { remaining, resetAt: this.now() + resetSeconds * 1000, observedAfter: sentAt };
  }
  block(waitMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + waitMs);
    if (this.server) this.server.remaining = 0;
  }
}

test('the pacer books the same send times as the plain version under random traffic', () => {
  for (let seed = 1; seed <= 20; seed++) {
    let state = seed;
    const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
    let clock = 1_000_000;
    const now = () => clock;
    const configured = [undefined, 5, 120][seed % 3];
    const pacer = new RateLimitPacer({ now, perMinute: configured });
    const plain = new PlainPacer(now, configured);
    for (let step = 0; step < 3000; step++) {
      const op = next(100);
      if (op < 70) {
        const maxWait = [0, 500, 5000, 90_000, Number.POSITIVE_INFINITY][next(5)]!;
        assert.equal(pacer.schedule(maxWait), plain.schedule(maxWait), `seed ${seed} step ${step}`);
      } else if (op < 85) {
        const [limit, remaining, reset] = [[5, 120, 200][next(3)]!, [next(4), next(130)][next(2)]!, next(61)];
        const sentAt = clock - next(2000);
        pacer.observe({ 'x-ratelimit-limit-default': String(limit), 'x-ratelimit-remaining-default': String(remaining), 'x-ratelimit-reset-default': String(reset) }, sentAt);
        plain.observe(limit, remaining, reset, sentAt);
      } else if (op < 88) {
        const wait = next(60_000);
        pacer.block(wait);
        plain.block(wait);
      } else {
        clock += [0, 1, 50, 1000, 30_000, 61_000][next(6)]!;
      }
    }
  }
});

test('a busy key still waits for its window: the 121st request in 61 s is held back', () => {
  let clock = 0;
  const pacer = new RateLimitPacer({ now: () => clock, perMinute: 120 });
  for (let i = 0; i < 120; i++) {
    assert.equal(pacer.schedule(0), 0);
    clock += 100;
  }
  assert.equal(pacer.schedule(0), undefined, 'no room without waiting');
  assert.equal(pacer.schedule(Number.POSITIVE_INFINITY), 61_000 - 12_000, 'the first send leaves the window at 61 s');
});
