// Fuzzing the front door: well over a thousand random and malformed requests (seeded, so a
// failure replays) against every POST endpoint. Never a 5xx, the process stays up, refused
// requests write nothing, and whatever random valid calls book is never a double booking.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import { signCalPayload } from '../../src/calcom/signature.ts';
import { FUNCTIONS } from '../../src/retell/functions.ts';
import { signRetellBody } from '../../src/retell/signature.ts';
import { count, germanDate, looksGerman, mobile, request, SALON_NUMBER, sampleCatalog, startServiceHarness, workdayAhead, ZONE, type ServiceHarness } from '../helpers/service.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20251125);
const CAL_SECRET = 'whsec_fuzz';
const BODY_LIMIT = 64 * 1024;
/** 1,050 fuzzed requests in all (plus the race in phase 3). */
const PHASE1 = 550;
const PHASE2 = 500;

let h: ServiceHarness;
before(async () => {
  // Retell's own limits are megabytes; here they are the smallest allowed, so "too large" stays cheap to send.
  h = await startServiceHarness({ env: { CALCOM_WEBHOOK_SECRET: CAL_SECRET, RETELL_FUNCTION_BODY_LIMIT_BYTES: String(BODY_LIMIT), RETELL_WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
});
after(() => h?.stop());

// ---------------------------------------------------------------- seeded randomness

/** mulberry32: small, fast, good enough to pick test inputs; same seed, same requests. */
function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Random = ReturnType<typeof createRandom>;

// ---------------------------------------------------------------- vocabularies

const CANONICAL = Object.keys(FUNCTIONS);
const ALIASES = Object.keys(sampleCatalog().functionAliases);
const KNOWN_NAMES = new Set([...CANONICAL, ...ALIASES]);
const ARG_KEYS = [
  'dienstleistung', 'service', 'Leistung', 'service_name', 'datum', 'Date', 'tag', 'wunschdatum', 'uhrzeit', 'time', 'Zeit', 'startzeit',
  'name', 'Kundenname', 'vorname', 'telefon', 'Telefonnummer', 'phone', 'handy', 'email', 'E-Mail', 'termin_id', 'appointment_id', 'bookingId',
  'neues_datum', 'new_date', 'neue_uhrzeit', 'newTime', 'company', 'company_id', 'tenant', '__proto__', 'constructor', 'x'.repeat(100),
];
const SERVICES = ['Herrenhaarschnitt', 'Damenhaarschnitt', 'Herren', 'damen', 'Färben', 'Färben + Schneiden', 'Farbe und Schnitt', 'Haarschnitt', 'Pediküre', 'herrenhaarschnitt', 'faerben-schneiden', 'HERRENSCHNITT', ' ', ''];
const DATES = [
  'morgen', 'übermorgen', 'heute', 'gestern', 'vorgestern', 'nächste Woche', 'diese Woche', 'nächsten Dienstag', 'Montag', 'am Freitag', 'Sonntag',
  'Dienstag nächste Woche', 'übernächsten Mittwoch', 'kommenden Samstag', '31.02.', '29.02.2028', '1.1.', '24.12.', '12.12.2099', '31.12.9999', '2026-13-01',
  '15. Januar', 'am 3.', 'in zwei Wochen', 'irgendwann', '00.00.0000', '2030-06-01T10:00:00+02:00', '2027-03-28T02:30:00', 'Montag, den 30.11.', '7.7.77',
];
const TIMES = [
  'halb elf', 'viertel nach drei', 'viertel vor neun', 'drei viertel zwölf', '10:30', '10 Uhr', '9', '15.30', '13 Uhr 15', 'nachmittags', 'vormittags', 'abends',
  'früh', 'mittags', 'um 3 nachmittags', '25:00', '24:00', '-1', '99', 'zwölf', 'halb', 'jetzt', '10:07', '17:45', '00:00', 'um acht', '2:30',
];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/xml', 'image/png', 'application/octet-stream'];
const UNICODE = ['ä', 'ß', 'é', '中文', '😀', '👨‍👩‍👧', '\u202e', '\u200b', '\u0000', '\u0007', '\ud800', '\udfff', 'ﷺ', 'Ω', '\n', '\t', '"', '\\', "'", '<script>alert(1)</script>', "'; DROP TABLE appointments; --", '%s%n', '../../etc/passwd', '${x}', '{{7*7}}'];

function randomString(r: Random, maxLength = 40): string {
  switch (r.int(7)) {
    case 0:
      return '';
    case 1:
      return Array.from({ length: 1 + r.int(maxLength) }, () => String.fromCharCode(32 + r.int(95))).join('');
    case 2:
      return Array.from({ length: 1 + r.int(8) }, () => r.pick(UNICODE)).join('');
    case 3:
      return r.pick(UNICODE).repeat(1 + r.int(2000));
    case 4:
      return `${r.pick(DATES)} ${r.pick(TIMES)}`;
    case 5:
      return Array.from({ length: 1 + r.int(6) }, () => String.fromCodePoint(r.int(0x2ffff))).join('');
    default:
      return r.pick([...SERVICES, ...DATES, ...TIMES]);
  }
}

function randomJson(r: Random, depth = 3): unknown {
  const kind = r.int(depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 42, 1.5, -0.0001, 1e308, -1e308, 2 ** 53 + 1, 123456789012]);
    case 3:
    case 4:
    case 5:
      return randomString(r);
    case 6:
    case 7:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.chance(0.5) ? r.pick(ARG_KEYS) : randomString(r, 12), randomJson(r, depth - 1)]));
  }
}

/** A plausible date for the simulator: DD.MM.YYYY of a day in the next three weeks. */
function nearDate(r: Random): string {
  return germanDate(DateTime.now().setZone(ZONE).plus({ days: 1 + r.int(21) }));
}

function randomArgs(r: Random): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (r.chance(0.8)) args[r.pick(['dienstleistung', 'service', 'Leistung'])] = r.chance(0.85) ? r.pick(SERVICES) : randomJson(r, 1);
  if (r.chance(0.8)) args[r.pick(['datum', 'date', 'Tag'])] = r.chance(0.5) ? nearDate(r) : r.chance(0.8) ? r.pick(DATES) : randomJson(r, 1);
  if (r.chance(0.75)) args[r.pick(['uhrzeit', 'time', 'Uhrzeit'])] = r.chance(0.85) ? r.pick(TIMES) : randomJson(r, 1);
  if (r.chance(0.6)) args.name = r.chance(0.7) ? r.pick(['Max Mustermann', 'Erika', 'Ömer Çelik', 'Zoë', 'José María']) : randomJson(r, 1);
  if (r.chance(0.2)) args.telefon = r.chance(0.5) ? mobile(r.int(1000)) : randomJson(r, 1);
  if (r.chance(0.15)) args.email = r.chance(0.5) ? 'kunde@example.de' : randomString(r);
  if (r.chance(0.15)) args.termin_id = r.chance(0.6) ? 1 + r.int(40) : randomJson(r, 1);
  if (r.chance(0.1)) args.neues_datum = r.chance(0.5) ? nearDate(r) : r.pick(DATES);
  if (r.chance(0.1)) args.neue_uhrzeit = r.pick(TIMES);
  for (let i = r.int(3); i > 0; i--) args[r.chance(0.5) ? r.pick(ARG_KEYS) : randomString(r, 20).slice(0, r.chance(0.95) ? 100 : 300)] = randomJson(r, 2);
  return args;
}

const CALL_IDS = Array.from({ length: 25 }, (_, i) => `call_fuzz_${SEED}_${i}`);

/** A call Retell could send for the sample salon (dialled number known). */
function salonCall(r: Random): Record<string, unknown> {
  return {
    call_id: r.chance(0.7) ? r.pick(CALL_IDS) : `call_${r.int(1e9)}`,
    agent_id: r.pick(['agent_demo', 'agent_salon_schmidt', null]),
    to_number: SALON_NUMBER,
    ...(r.chance(0.9) && { from_number: r.chance(0.85) ? mobile(r.int(60)) : r.pick(['0', '+49', 'anonymous', '+4930123']) }),
    direction: r.chance(0.9) ? r.pick(['inbound', undefined]) : 'outbound',
  };
}

// ---------------------------------------------------------------- requests

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

/** `/retell/function`, or `/retell/functions/:name` when the name can be put in a URL (no lone surrogates). */
function retellPaths(r: Random, name: string): string {
  if (r.chance(0.5)) return '/retell/function';
  try {
    return `/retell/functions/${encodeURIComponent(name)}`;
  } catch {
    return '/retell/function';
  }
}

/** Marks a request to be signed properly (`undefined` means: send no signature at all). */
const SIGNED = Symbol('signed');

function retellRequest(kind: string, path: string, body: string | Buffer, r: Random, signature: string | undefined | typeof SIGNED): FuzzRequest {
  const sig = signature === SIGNED ? signRetellBody(typeof body === 'string' ? body : body.toString('utf8'), h.service.retellApiKey) : signature;
  return { kind, method: 'POST', path, body, headers: { 'content-type': r.chance(0.8) ? 'application/json' : r.pick(CONTENT_TYPES), ...(sig !== undefined && { 'x-retell-signature': sig }) } };
}

/** A function call body for `path`: `{call, name, args}` or the args at the root. */
function functionBody(path: string, call: unknown, name: string, args: Record<string, unknown>): string {
  return path === '/retell/function' ? JSON.stringify({ call, name, args }) : JSON.stringify({ ...args, call });
}

/** Requests that must be refused with a 4xx — and must not change anything. */
function rejectedRequest(r: Random): FuzzRequest {
  const name = r.pick([...KNOWN_NAMES]);
  const path = retellPaths(r, name);
  switch (r.int(10)) {
    case 0: {
      // a perfectly good request with a bad signature
      const body = r.chance(0.5) ? functionBody(path, salonCall(r), name, randomArgs(r)) : JSON.stringify({ event: r.pick(['call_started', 'call_ended']), call: salonCall(r) });
      const target = body.startsWith('{"event"') ? '/retell/webhook' : path;
      const now = Date.now();
      const sig = r.pick([
        undefined,
        '',
        'v=,d=',
        `v=${now},d=${'0'.repeat(64)}`,
        signRetellBody(body, 'not-the-key'),
        signRetellBody(`${body}x`, h.service.retellApiKey),
        signRetellBody(body, h.service.retellApiKey, now - 10 * 60_000),
        signRetellBody(body, h.service.retellApiKey, now + 10 * 60_000),
        randomString(r, 80),
      ]);
      return retellRequest('bad signature', target, body, r, sig);
    }
    case 1: {
      // not JSON at all (signed, so it gets as far as the parser)
      let text: string;
      do text = r.pick([() => `{${randomString(r)}`, () => `<xml>${randomString(r)}</xml>`, () => `name=${randomString(r).replace(/[^a-z0-9]/gi, '%41')}&a=1`, () => JSON.stringify(randomArgs(r)).slice(0, -1), () => randomString(r, 200), () => "{'call': 1}", () => ''])();
      while (isJsonObject(text));
      return retellRequest('not json', r.chance(0.2) ? '/retell/webhook' : path, text, r, SIGNED);
    }
    case 2: {
      // raw bytes that are not even UTF-8
      const bytes = Buffer.from(Array.from({ length: 1 + r.int(300) }, () => 128 + r.int(128)));
      return retellRequest('binary', r.chance(0.3) ? '/retell/webhook' : path, bytes, r, r.chance(0.5) ? signRetellBody(bytes.toString('latin1'), h.service.retellApiKey) : SIGNED);
    }
    case 3: {
      // JSON of the wrong shape
      const call = salonCall(r);
      const shapes: Array<[string, unknown]> = [
        ['/retell/function', randomJson(r, 0)],
        ['/retell/function', Array.from({ length: r.int(4) }, () => randomJson(r, 2))],
        ['/retell/function', { name, args: randomArgs(r) }],
        ['/retell/function', { call, args: randomArgs(r) }],
        ['/retell/function', { call, name: r.chance(0.5) ? '' : 'n'.repeat(101), args: {} }],
        ['/retell/function', { call, name: r.chance(0.5) ? 7 : [name], args: {} }],
        ['/retell/function', { call, name, args: r.pick([[], 'args', 5, true]) }],
        ['/retell/function', { call: { ...call, call_id: r.pick([5, null, '', 'c'.repeat(201), ['x']]) }, name, args: {} }],
        ['/retell/function', { call: { ...call, from_number: '9'.repeat(1001) }, name, args: {} }],
        ['/retell/function', { call: r.pick(['call', 1, [], null]), name, args: {} }],
        [`/retell/functions/${name}`, Array.from({ length: 1 + r.int(3) }, () => randomJson(r, 1))],
        [`/retell/functions/${name}`, r.pick([null, 1, 'x', true])],
        [`/retell/functions/${name}`, { ...randomArgs(r), call: r.pick(['c', 1, [], { call_id: '' }, { to_number: SALON_NUMBER }]) }],
        [`/retell/functions/${name}`, { ...randomArgs(r) }], // no call in body or headers
        ['/retell/webhook', { event: r.pick(['call_started', 'call_ended']), call: { ...call, start_timestamp: r.pick([-1, 'gestern', 2 ** 60]) } }],
        ['/retell/webhook', { event: 'call_ended', call: { ...call, call_cost: { combined_cost: r.pick([-5, 'viel', [1]]) } } }],
        ['/retell/webhook', { event: r.pick(['', 'e'.repeat(51), 5, null]), call }],
        ['/retell/webhook', { event: 'call_started', call: r.pick(['c', 5, [], { call_id: '' }]) }],
        ['/retell/webhook', { event: 'call_started', call: { ...call, disconnection_reason: 'r'.repeat(201) } }],
      ];
      const [target, value] = r.pick(shapes);
      const body = JSON.stringify(value);
      return retellRequest('wrong shape', target, body ?? 'undefined', r, SIGNED);
    }
    case 4: {
      // a function that does not exist
      let unknown: string;
      do unknown = r.pick([() => randomString(r, 30), () => `${r.pick(CANONICAL)}_v${r.int(99)}`, () => r.pick(CANONICAL).toUpperCase(), () => r.pick(['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])])();
      while (KNOWN_NAMES.has(unknown) || unknown.length === 0 || unknown.length > 100);
      const target = retellPaths(r, unknown);
      return retellRequest('unknown function', target, functionBody(target, salonCall(r), unknown, randomArgs(r)), r, SIGNED);
    }
    case 5: {
      // a number (and agent) that belongs to no business
      const call = { ...salonCall(r), to_number: r.pick(['+4940999999', '+15550100', '', 'unknown']), agent_id: r.pick(['agent_x', null]), direction: 'inbound' };
      return retellRequest('unknown tenant', path, functionBody(path, call, name, randomArgs(r)), r, SIGNED);
    }
    case 6: {
      // larger than the body limit
      const pad = r.pick(['x', 'ü', '😀', ' ']).repeat(BODY_LIMIT + r.int(BODY_LIMIT));
      const body = r.chance(0.5) ? functionBody(path, salonCall(r), name, { ...randomArgs(r), notiz: pad }) : JSON.stringify({ event: 'call_started', call: salonCall(r), pad });
      return retellRequest('too large', body.startsWith('{"event"') ? '/retell/webhook' : path, body, r, SIGNED);
    }
    case 7: {
      // Cal.com webhooks: unsigned, wrongly signed, tampered, not JSON or the wrong shape
      const event = JSON.stringify(calcomEvent(r));
      const variants: Array<() => [string, string | undefined]> = [
        () => [event, undefined],
        () => [event, signCalPayload(event, 'wrong-secret')],
        () => [event, 'no-secret-provided'],
        () => [`${event} `, signCalPayload(event, CAL_SECRET)],
        () => [event, randomString(r, 64)],
        () => {
          const text = `{${randomString(r)}`;
          return [text, signCalPayload(text, CAL_SECRET)];
        },
        () => {
          const bad = JSON.stringify(r.pick([{ payload: {} }, { triggerEvent: '', payload: {} }, { triggerEvent: 'BOOKING_CREATED', payload: { uid: 'u', eventTypeId: 1001, startTime: 'morgen' } }, { triggerEvent: 'BOOKING_CREATED', payload: 'x' }, [1], null, 5]));
          return [bad, signCalPayload(bad, CAL_SECRET)];
        },
      ];
      const [body, sig] = r.pick(variants)();
      return { kind: 'bad calcom webhook', method: 'POST', path: '/calcom/webhook', body, headers: { 'content-type': r.pick(CONTENT_TYPES), ...(sig !== undefined && { 'x-cal-signature-256': sig }) } };
    }
    case 8: {
      // POST /api/appointments: no or a wrong token, or a body that is not a new appointment
      const token = r.pick([undefined, 'Bearer wrong-token', 'Basic demo-admin-token', 'Bearer demo-admin-token', 'Bearer demo-customer-token']);
      const valid = token === 'Bearer demo-admin-token' || token === 'Bearer demo-customer-token';
      const bad = r.pick([
        () => `{${randomString(r)}`,
        () => JSON.stringify(randomJson(r, 2)),
        () => JSON.stringify({ serviceId: r.pick(['herrenhaarschnitt', '', 5]), start: r.pick(['morgen', '2026-13-01T10:00:00Z', 1234]), customer: { name: randomString(r) }, requestId: randomString(r, 20) }),
        () => JSON.stringify({ serviceId: 'herrenhaarschnitt', start: new Date(Date.now() + 3 * 86_400_000).toISOString(), customer: { name: 'A', email: 'keine' }, requestId: 'r1' }),
        () => JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT + 1) }),
      ])();
      // with a valid token only bodies that cannot be a new appointment; without one, even a good one
      const body = valid || r.chance(0.5) ? bad : JSON.stringify({ serviceId: 'herrenhaarschnitt', start: new Date(Date.now() + 3 * 86_400_000).toISOString(), customer: { name: 'A', email: 'a@example.de' }, requestId: `req_${r.int(1e6)}` });
      if (valid && isValidNewAppointment(body)) return rejectedRequest(r);
      return { kind: 'bad api request', method: 'POST', path: '/api/appointments', body, headers: { 'content-type': r.pick(CONTENT_TYPES), ...(token && { authorization: token }) } };
    }
    default: {
      // the wrong method on a POST endpoint
      const target = r.pick(['/retell/function', `/retell/functions/${name}`, '/retell/webhook', '/calcom/webhook']);
      const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH']);
      return { kind: 'wrong method', method, path: target, body: method === 'GET' ? '' : JSON.stringify(randomJson(r, 1)), headers: { 'content-type': 'application/json' } };
    }
  }
}

/** Would POST /api/appointments accept this body? (Then it is no use as a request that must be refused.) */
function isValidNewAppointment(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return typeof v?.serviceId === 'string' && v.serviceId.length > 0 && typeof v.start === 'string' && !Number.isNaN(Date.parse(v.start)) && typeof v.customer?.email === 'string' && v.customer.email.includes('@') && typeof v.requestId === 'string';
  } catch {
    return false;
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object';
  } catch {
    return false;
  }
}

function calcomEvent(r: Random): Record<string, unknown> {
  const start = DateTime.now().setZone(ZONE).plus({ days: 1 + r.int(20) }).set({ hour: 8 + r.int(11), minute: r.pick([0, 15, 30, 45]), second: 0, millisecond: 0 });
  return {
    triggerEvent: r.pick(['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED', 'BOOKING_REJECTED', 'MEETING_ENDED', 'PING', randomString(r, 20) || 'X']),
    createdAt: new Date().toISOString(),
    payload: {
      uid: `fuzz_${r.int(1e9)}`,
      eventTypeId: r.pick([1001, 1002, 1003, 9999, null]),
      startTime: start.toUTC().toISO(),
      endTime: start.plus({ minutes: r.pick([30, 60, 90]) }).toUTC().toISO(),
      status: 'ACCEPTED',
      metadata: r.chance(0.5) ? {} : { commandId: `cmd_${r.int(1e6)}`, note: randomString(r) },
      attendees: r.chance(0.8) ? [{ name: randomString(r) || 'A', email: 'a@example.de', phoneNumber: r.chance(0.5) ? mobile(r.int(100)) : null }] : [],
      ...(r.chance(0.3) && { rescheduleUid: `fuzz_${r.int(1e9)}`, rescheduleStartTime: start.minus({ hours: 2 }).toUTC().toISO(), rescheduleEndTime: start.minus({ hours: 1 }).toUTC().toISO() }),
    },
  };
}

/** A booking, move or cancel a caller could really ask for: near days, opening hours, a few phones and calls (so repeats and races happen). */
function plausibleChange(r: Random): FuzzRequest {
  const day = DateTime.now().setZone(ZONE).plus({ days: 1 + r.int(14) });
  const time = `${String(9 + r.int(9)).padStart(2, '0')}:${r.pick(['00', '30'])}`;
  const name = r.pick(['book_appointment', 'book_appointment', 'start_booking', 'book_appointment_v2', 'reschedule_appointment', 'cancel_appointment']);
  const args: Record<string, unknown> =
    name === 'cancel_appointment'
      ? r.chance(0.5) ? { termin_id: 1 + r.int(60) } : {}
      : name === 'reschedule_appointment'
        ? { termin_id: 1 + r.int(60), neues_datum: germanDate(day), neue_uhrzeit: time }
        : { dienstleistung: r.pick(['Herrenhaarschnitt', 'Damenhaarschnitt', 'Färben', 'Färben + Schneiden']), datum: germanDate(day), uhrzeit: time, name: r.pick(['Max Mustermann', 'Erika Muster', 'Ömer Çelik']) };
  const call = { call_id: r.pick(CALL_IDS), to_number: SALON_NUMBER, from_number: mobile(r.int(12)), direction: 'inbound' };
  const path = retellPaths(r, name);
  return retellRequest('plausible change', path, functionBody(path, call, name, args), r, SIGNED);
}

/** Anything: most are properly signed and may well be processed (and book). */
function anyRequest(r: Random): FuzzRequest {
  const roll = r.next();
  if (roll < 0.15) return plausibleChange(r);
  if (roll < 0.3) return rejectedRequest(r);
  if (roll < 0.75) {
    const name = r.chance(0.9) ? r.pick([...KNOWN_NAMES]) : randomString(r, 30) || 'x';
    const path = retellPaths(r, name);
    if (path !== '/retell/function' && r.chance(0.3)) {
      // the call in headers, args at the root
      const call = salonCall(r);
      const body = JSON.stringify(randomArgs(r));
      const req = retellRequest('function (headers)', path, body, r, SIGNED);
      req.headers['x-retell-call-id'] = String(call.call_id);
      req.headers['x-retell-to-number'] = SALON_NUMBER;
      if (typeof call.from_number === 'string') req.headers['x-retell-from-number'] = call.from_number;
      return req;
    }
    return retellRequest('function', path, functionBody(path, salonCall(r), name, randomArgs(r)), r, SIGNED);
  }
  if (roll < 0.9) {
    const start = Date.now() - r.int(3 * 86_400_000);
    const call = {
      ...salonCall(r),
      ...(r.chance(0.8) && { start_timestamp: start }),
      ...(r.chance(0.5) && { end_timestamp: start + r.int(600_000) }),
      ...(r.chance(0.4) && { duration_ms: r.int(600_000) }),
      ...(r.chance(0.4) && { disconnection_reason: r.pick(['user_hangup', 'agent_hangup', randomString(r, 60)]) }),
      ...(r.chance(0.4) && { call_cost: { combined_cost: r.pick([0, 1.5, 12.5, 1e6]) } }),
      ...(r.chance(0.2) && { extra: randomJson(r, 2) }),
      ...(r.chance(0.1) && { to_number: '+4940999999' }),
    };
    const body = JSON.stringify({ event: r.pick(['call_started', 'call_ended', 'call_analyzed', 'call_started', randomString(r, 30) || 'x']), call });
    return retellRequest('retell webhook', '/retell/webhook', body, r, SIGNED);
  }
  const body = JSON.stringify(calcomEvent(r));
  return { kind: 'calcom webhook', method: 'POST', path: '/calcom/webhook', body, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalPayload(body, CAL_SECRET) } };
}

interface Outcome {
  req: FuzzRequest;
  status: number;
  json: Record<string, any> | undefined;
  text: string;
}

/** HTTP header values are bytes: random signatures are sent as Latin-1-safe text. */
const headerSafe = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(/[^\x20-\x7e]/g, '?')]));

async function send(req: FuzzRequest): Promise<Outcome> {
  try {
    const res = await request(`${h.url}${req.path}`, { method: req.method, body: req.method === 'GET' ? undefined : req.body, headers: headerSafe(req.headers) });
    return { req, status: res.status, json: res.json, text: res.text };
  } catch (error) {
    // the connection failed: recorded (and failed on) after every other request has finished
    return { req, status: -1, json: undefined, text: String(error) };
  }
}

/** Runs the requests `concurrency` at a time; results in request order. */
async function runAll(requests: FuzzRequest[], concurrency: number): Promise<Outcome[]> {
  const results: Outcome[] = new Array(requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        results[i] = await send(requests[i]!);
      }
    }),
  );
  return results;
}

/** Node itself answers 431 (no body) to a request line or headers over its 16 KiB limit, before the app sees it. */
const refusedByNode = (o: Outcome) => o.status === 431 && o.text === '' && o.req.path.length + JSON.stringify(o.req.headers).length > 8000;

const describe = (o: Outcome) => `${o.req.kind}: ${o.req.method} ${o.req.path.slice(0, 200)} ${String(o.req.body).slice(0, 200)} ${JSON.stringify(o.req.headers).slice(0, 200)} → ${o.status} ${o.text.slice(0, 300)}`;

/** Everything a processed request could have changed. */
function snapshot() {
  const table = (name: string) => h.db.prepare(`SELECT COUNT(*) AS n, MAX(updated_at) AS last FROM ${name}`).get();
  const stats = h.sim.control.stats();
  return {
    appointments: table('appointments'),
    calls: table('calls'),
    customers: table('customers'),
    commandResults: count(h.db, 'command_results'),
    orphans: count(h.db, 'orphaned_bookings'),
    simBookings: stats.bookings,
    simWrites: [stats.requests.create_booking ?? 0, stats.requests.cancel_booking ?? 0, stats.requests.reschedule_booking ?? 0],
  };
}

const TECHNICAL = new Set(['technical_error', 'calcom_error', 'save_failed', 'booking_outcome_unknown', 'handler_error', 'closed', 'internal_error']);

/** Live local appointments (not from Cal.com webhooks) whose ranges overlap on one calendar. */
function localOverlaps(): unknown[] {
  return h.db
    .prepare(
      `SELECT a.id AS a, b.id AS b FROM appointments a JOIN appointments b
         ON a.company_id = b.company_id AND a.calendar_key = b.calendar_key AND a.id < b.id
        AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc
      WHERE a.status IN ('pending', 'booked') AND b.status IN ('pending', 'booked') AND a.origin != 'calcom' AND b.origin != 'calcom'`,
    )
    .all();
}

test(`phase 1: ${PHASE1} requests that must be refused are refused and write nothing (seed ${SEED})`, async (t) => {
  const r = createRandom(SEED);
  const requests = Array.from({ length: PHASE1 }, () => rejectedRequest(r));
  const before = snapshot();
  const outcomes = await runAll(requests, 6);
  // Function calls the agent should hear are refused with a 200 and success: false (Retell never speaks
  // a 4xx); everything else, and any bad signature, with a 4xx.
  const spoken = (o: Outcome) => o.status === 200 && o.req.path.startsWith('/retell/function') && o.json?.success === false;
  const wrong = outcomes.filter((o) => !spoken(o) && (o.status < 400 || o.status >= 500));
  assert.deepEqual(outcomes.filter((o) => o.status === -1).map(describe), [], 'every request was answered');
  assert.deepEqual(wrong.map(describe), [], 'every one of them is refused');
  for (const o of outcomes) {
    if (refusedByNode(o)) continue;
    assert.equal(o.json?.success, false, describe(o));
    assert.match(String(o.json?.error), /^[a-z_]+$/, describe(o));
    assert.ok(typeof o.json?.message === 'string' && o.json.message.length > 0, describe(o));
  }
  await h.sim.control.flushWebhooks();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(snapshot(), before, 'refused requests changed nothing');
  const tally = new Map<string, number>();
  for (const o of outcomes) tally.set(`${o.status} ${o.json?.error ?? ''}`, (tally.get(`${o.status} ${o.json?.error ?? ''}`) ?? 0) + 1);
  t.diagnostic([...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', '));
  const kinds = new Set(requests.map((q) => q.kind));
  assert.equal(kinds.size, 10, `every kind of bad request was tried: ${[...kinds].join(', ')}`);
  const statuses = new Set(outcomes.map((o) => o.status));
  for (const status of [200, 400, 401, 405, 413]) assert.ok(statuses.has(status), `some answered ${status}`);
});

test(`phase 2: ${PHASE2} random requests, most properly signed: never a 5xx, every reply structured (seed ${SEED})`, async (t) => {
  const r = createRandom(SEED + 1);
  const requests = Array.from({ length: PHASE2 }, () => anyRequest(r));
  const outcomes = await runAll(requests, 4);
  assert.deepEqual(outcomes.filter((o) => o.status === -1).map(describe), [], 'every request was answered');
  const serverErrors = outcomes.filter((o) => o.status >= 500);
  assert.deepEqual(serverErrors.map(describe), [], 'no 5xx');
  const technical: string[] = [];
  for (const o of outcomes) {
    if (refusedByNode(o)) continue;
    assert.ok(o.json && typeof o.json === 'object', `a JSON answer: ${describe(o)}`);
    if (o.status >= 400) {
      assert.equal(o.json.success, false, describe(o));
      assert.match(String(o.json.error), /^[a-z_]+$/, describe(o));
      continue;
    }
    assert.equal(typeof o.json.success, 'boolean', describe(o));
    if (!o.req.path.startsWith('/retell/function')) continue;
    // a function reply the agent can speak
    assert.ok(typeof o.json.message === 'string' && o.json.message.length > 0, describe(o));
    if (!o.json.success) {
      assert.match(String(o.json.error), /^[a-z_]+$/, describe(o));
      assert.ok(looksGerman(o.json.message), `German message: ${describe(o)}`);
      // Concurrent changes of one appointment go through its owner actor: the loser is told why, not a technical error.
      if (TECHNICAL.has(o.json.error)) technical.push(describe(o));
    }
  }
  assert.deepEqual(technical, [], 'random input never ends in a technical error');
  const tally = new Map<string, number>();
  for (const o of outcomes) {
    const key = `${o.status} ${o.json?.error ?? (o.json?.success ? 'success' : '')}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  t.diagnostic([...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', '));
  const answered = outcomes.filter((o) => o.status === 200 && o.req.path.startsWith('/retell/function'));
  assert.ok(answered.length > 200, `many requests got as far as a function (${answered.length})`);
  const bookedNow = answered.filter((o) => o.json?.success && o.json?.appointment_id !== undefined).length;
  t.diagnostic(`${bookedNow} successful booking/cancel/reschedule replies, ${count(h.db, 'appointments')} appointment rows`);
  assert.ok(bookedNow > 0, 'some random calls booked');

  // whatever got booked is booked once, in both places
  await h.sim.control.flushWebhooks();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0, 'no double booking in Cal.com');
  assert.deepEqual(localOverlaps(), [], 'no overlapping live appointments locally');
  const simActive = new Set(h.sim.control.bookings().filter((b) => b.status === 'accepted').map((b) => b.uid as string));
  const simAll = new Set(h.sim.control.bookings().map((b) => b.uid as string));
  const localBooked = h.db.prepare("SELECT calcom_uid FROM appointments WHERE status = 'booked' AND calcom_uid IS NOT NULL").all() as Array<{ calcom_uid: string }>;
  const localOfSim = new Set(localBooked.map((a) => a.calcom_uid).filter((uid) => simAll.has(uid)));
  assert.deepEqual([...simActive].filter((uid) => !localOfSim.has(uid)), [], 'every Cal.com booking has its appointment');
  assert.deepEqual([...localOfSim].filter((uid) => !simActive.has(uid)), [], 'every booked appointment is live in Cal.com');
  assert.equal(count(h.db, 'appointments', "status = 'pending'"), 0, 'no intent left pending');
});

test('phase 3: 48 callers racing for the same few times book each range once', async () => {
  const day = workdayAhead(22);
  const wishes = [
    ['Herrenhaarschnitt', '10:00'],
    ['Herrenhaarschnitt', '10:30'],
    ['Damenhaarschnitt', '10:00'],
    ['Färben', '09:30'],
  ] as const;
  const results = await Promise.all(
    Array.from({ length: 48 }, (_, i) => {
      const [service, time] = wishes[i % wishes.length]!;
      return h.caller(mobile(900 + i)).fn('book_appointment', { dienstleistung: service, datum: germanDate(day), uhrzeit: time, name: `Renner ${i}` });
    }),
  );
  assert.ok(results.every((x) => x.status === 200), 'all answered');
  const booked = results.filter((x) => x.body.success);
  assert.ok(booked.length >= 1, 'someone got a slot');
  for (const x of results) if (!x.body.success) assert.equal(x.body.error, 'slot_no_longer_available', JSON.stringify(x.body));
  // the booked ranges do not overlap each other
  const ranges = booked.map((x) => h.db.prepare('SELECT start_utc AS s, end_utc AS e FROM appointments WHERE id = ?').get(x.body.appointment_id) as { s: number; e: number });
  for (let i = 0; i < ranges.length; i++) for (let j = i + 1; j < ranges.length; j++) assert.ok(ranges[i]!.e <= ranges[j]!.s || ranges[j]!.e <= ranges[i]!.s, 'disjoint');
  assert.equal(h.sim.control.stats().overlappingActiveBookings, 0);
  assert.deepEqual(localOverlaps(), []);
});

test('the service is still up and ready after all of it', async () => {
  assert.equal((await request(`${h.url}/healthz`)).status, 200);
  const ready = await request(`${h.url}/readyz`);
  assert.equal(ready.status, 200, ready.text);
  const list = await h.caller().fn('list_services');
  assert.equal(list.body.success, true);
});
