/** How often and how patiently a retryable failure is repeated. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay. */
  maxDelayMs: number;
  /**
   * Longest server-requested wait (Retry-After) we honour. A caller on the phone cannot
   * wait a minute, so a longer request ends the retries with the 429 error instead.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  maxRetryAfterMs: 10_000,
};

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed and
 * half random, so retries spread out but never collapse to zero.
 * `retry` is 1 for the first retry.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The wait a 429 asks for, in ms: `Retry-After` (seconds or HTTP date) if present,
 * else Cal.com's `X-RateLimit-Reset-Default` (seconds until the window resets; an
 * epoch value is tolerated). Undefined when neither is usable.
 */
export function retryAfterMs(headers: HeaderBag, nowEpochMs: number = Date.now()): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - nowEpochMs);
  }
  const reset = Number(header(headers, 'x-ratelimit-reset-default') ?? header(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset >= 0) {
    if (reset > 1e12) return Math.max(0, reset - nowEpochMs); // epoch ms
    if (reset > 1e9) return Math.max(0, reset * 1000 - nowEpochMs); // epoch s
    return Math.round(reset * 1000);
  }
  return undefined;
}
