import { createHmac, timingSafeEqual } from 'node:crypto';

/** What Cal.com puts in X-Cal-Signature-256 when the webhook has no secret. */
export const NO_SECRET_SIGNATURE = 'no-secret-provided';

/** Hex HMAC-SHA256 of the exact raw body, keyed with the webhook secret (no prefix, no timestamp). */
export function signCalPayload(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Verifies `X-Cal-Signature-256` against the raw request bytes. Must be given the body
 * exactly as received — re-serialised JSON would not match. Comparison is timing-safe.
 */
export function verifyCalSignature(
  rawBody: string | Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !secret || !/^[0-9a-f]{64}$/i.test(value.trim())) return false;
  const expected = Buffer.from(signCalPayload(rawBody, secret), 'hex');
  const given = Buffer.from(value.trim(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
