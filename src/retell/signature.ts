import { createHmac, timingSafeEqual } from 'node:crypto';

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/**
 * Retell signs requests as the retell-sdk's `verify` checks them:
 * `x-retell-signature: v={epoch ms},d={hex HMAC-SHA256(apiKey, rawBody + ms)}`,
 * valid for five minutes around now.
 */
export function verifyRetellSignature(rawBody: string, header: string | undefined, apiKey: string, now = Date.now()): boolean {
  const match = /^v=(\d+),d=([0-9a-f]+)$/.exec(header ?? '');
  if (!match) return false;
  const [, stamp, digest] = match;
  if (Math.abs(now - Number(stamp)) > FIVE_MINUTES_MS) return false;
  const expected = Buffer.from(createHmac('sha256', apiKey).update(rawBody + stamp).digest('hex'));
  const given = Buffer.from(digest!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

let lastStamp = 0;
/** Every signature made here gets its own millisecond: the service accepts each signature once. */
const uniqueStamp = () => (lastStamp = Math.max(Date.now(), lastStamp + 1));

/** The header value Retell would send for this body (tests, the demo, the load tool). */
export function signRetellBody(rawBody: string, apiKey: string, now = uniqueStamp()): string {
  return `v=${now},d=${createHmac('sha256', apiKey).update(rawBody + now).digest('hex')}`;
}
