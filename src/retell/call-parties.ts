import type { RetellCall } from './payloads.ts';

/**
 * Who is on which end of a call, from the signed call object alone. Retell's `from_number` is
 * the number that placed the call: the caller on inbound calls, the business on outbound ones
 * (retell-sdk `src/resources/call.ts`, `PhoneCallResponse.direction`). Web calls have no numbers.
 */
export function callParties(call: Pick<RetellCall, 'direction' | 'from_number' | 'to_number'>): { business?: string; customer?: string } {
  const outbound = call.direction === 'outbound';
  const business = phoneOf(outbound ? call.from_number : call.to_number);
  const customer = phoneOf(outbound ? call.to_number : call.from_number);
  return { ...(business && { business }), ...(customer && { customer }) };
}

/**
 * A dialable number out of what Retell reports: E.164 as is, the user part of a SIP URI
 * (`sip:+4930123456@trunk.example;user=phone`), nothing for withheld or anonymous callers.
 */
export function phoneOf(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const user = /^sips?:([^@;]+)/i.exec(raw.trim())?.[1] ?? raw.trim();
  const compact = user.replace(/[\s()./-]/g, '');
  return /^\+?\d{5,15}$/.test(compact) ? compact : undefined;
}
