// Issue 11 — the Retell boundary as Retell really talks to it, over HTTP against the whole
// service (embedded Redis, SQLite, the built-in Cal.com simulator). Every request is signed with
// the official SDK (`Retell.sign` from retell-sdk, `src/lib/webhook_auth.ts` in
// RetellAI/retell-typescript-sdk) and every call object is typed with the SDK's own types
// (`PhoneCallResponse`, `WebCallResponse`, `ChatResponse`: `src/resources/call.ts` and
// `src/resources/chat.ts` in RetellAI/retell-typescript-sdk), so a shape the service refuses
// here is a shape Retell sends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import Retell from 'retell-sdk';
import { SIM_OPERATIONS } from '../../src/simulator/index.ts';
import {
  at,
  count,
  germanDate,
  iso,
  looksGerman,
  mobile,
  request,
  SALON,
  SALON_NUMBER,
  sampleValue,
  startServiceHarness,
  waitFor,
  workdayAhead,
  ZONE,
  type ServiceHarness,
} from '../helpers/service.ts';
import { openDayFrom } from '../helpers/days.ts';

// ---------- SDK types (retell-sdk 5.x, `src/resources/call.ts` / `src/resources/chat.ts`) ----------

type PhoneCall = Retell.PhoneCallResponse;
type WebCall = Retell.WebCallResponse;
type AnyCall = PhoneCall | WebCall;
type TranscriptEntry = Retell.PhoneCallResponse.TranscriptObject;
type ToolCallsEntry = NonNullable<PhoneCall['transcript_with_tool_calls']>[number];
type Chat = Retell.ChatResponse;

/** `{event, event_timestamp?, call}` as Retell posts it to the agent's webhook URL (docs: webhook-overview). */
interface CallWebhook {
  event: 'call_started' | 'call_ended' | 'call_analyzed' | (string & {});
  event_timestamp?: number;
  call: AnyCall;
}
/** `{name, call, args}`: a custom function call in Retell's default payload (docs: custom-function). */
interface FunctionCallBody {
  name: string;
  call: AnyCall;
  args: Record<string, unknown> | null;
}

// ---------- harness ----------

let h: ServiceHarness;
/** Three distinct working days ahead (no Sunday, never the same day twice). */
let DA: DateTime;
let DB: DateTime;
let DC: DateTime;
/** A Friday at least three days ahead. */
let FRI: DateTime;

before(async () => {
  h = await startServiceHarness();
  DA = workdayAhead(4);
  DB = nextWorkday(DA);
  DC = nextWorkday(DB);
  FRI = workdayAhead(3);
  while (FRI.weekday !== 5) FRI = FRI.plus({ days: 1 });
});
after(() => h?.stop());

function nextWorkday(day: DateTime): DateTime {
  return openDayFrom(day.plus({ days: 1 }));
}

const HERREN = 'Herrenhaarschnitt';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const resetLatency = (target: ServiceHarness) => {
  for (const op of SIM_OPERATIONS) target.sim.control.setLatency(op, { kind: 'none' });
};

/** An agent id of the shape Retell issues, configured for no business (the number decides the tenant). */
const UNCONFIGURED_AGENT = 'agent_0c6f9d2b8e41a7c3f5e2d9b1a4c7e8f0';
/** The sample catalog's agent of Salon Schmidt (data/catalog.json). */
const SALON_AGENT = 'agent_salon_schmidt';
const ADMIN_TOKEN = 'demo-admin-token';

const newCallId = () => `call_${randomBytes(16).toString('hex')}`;

/** A phone call as `PhoneCallResponse` (required fields per the SDK type; the rest optional). */
function phoneCall(overrides: Partial<PhoneCall> = {}): PhoneCall {
  return {
    call_id: newCallId(),
    agent_id: UNCONFIGURED_AGENT,
    agent_version: 7,
    agent_name: 'Salon Schmidt Rezeption',
    call_type: 'phone_call',
    call_status: 'ongoing',
    direction: 'inbound',
    from_number: mobile(1),
    to_number: SALON_NUMBER,
    start_timestamp: Date.now() - 90_000,
    telephony_identifier: { twilio_call_sid: `CA${randomBytes(16).toString('hex')}` },
    retell_llm_dynamic_variables: { salon: 'Salon Schmidt' },
    metadata: {},
    ...overrides,
  };
}

/** A web call as `WebCallResponse`: no numbers at all, the agent id names the business. */
function webCall(overrides: Partial<WebCall> = {}): WebCall {
  return {
    call_id: newCallId(),
    access_token: randomBytes(24).toString('base64url'),
    agent_id: SALON_AGENT,
    agent_version: 7,
    call_type: 'web_call',
    call_status: 'ongoing',
    start_timestamp: Date.now() - 30_000,
    ...overrides,
  };
}

/** `CallCost` (SDK: combined_cost in cents, product_costs[], total duration and unit price). */
function callCost(seconds: number): Retell.PhoneCallResponse.CallCost {
  const products = [
    { product: 'elevenlabs_tts', unit_price: 0.1167 },
    { product: 'gpt_4o_mini', unit_price: 0.0083 },
    { product: 'retell_platform', unit_price: 0.0167 },
    { product: 'twilio', unit_price: 0.0233 },
  ];
  const product_costs = products.map((p) => ({ ...p, cost: Number((p.unit_price * seconds).toFixed(4)) }));
  const unit = products.reduce((sum, p) => sum + p.unit_price, 0);
  return {
    product_costs,
    combined_cost: Number(product_costs.reduce((sum, p) => sum + p.cost, 0).toFixed(4)),
    total_duration_seconds: Math.ceil(seconds),
    total_duration_unit_price: unit,
  };
}

// ---------- signing and sending (the official SDK) ----------

let lastSignedAt = 0;
/**
 * `Retell.sign` stamps Date.now() in ms and the service accepts each signature once: every
 * signature made here gets its own millisecond, so two identical bodies never share one.
 */
async function sdkSign(raw: string, apiKey: string): Promise<string> {
  while (Date.now() <= lastSignedAt) await sleep(1);
  lastSignedAt = Date.now();
  return Retell.sign(raw, apiKey);
}

type Res = Awaited<ReturnType<typeof request>>;

function send(target: ServiceHarness, path: string, raw: string, signature: string | undefined): Promise<Res> {
  return request(`${target.url}${path}`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', ...(signature !== undefined && { 'x-retell-signature': signature }) },
  });
}

async function signedPost(path: string, payload: unknown, target: ServiceHarness = h): Promise<Res> {
  const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return send(target, path, raw, await sdkSign(raw, target.service.retellApiKey));
}

const fn = (call: AnyCall, name: string, args: Record<string, unknown> | null = {}, target = h) =>
  signedPost('/retell/function', { name, call, args } satisfies FunctionCallBody, target);
const webhook = (event: CallWebhook['event'], call: AnyCall, extra: Record<string, unknown> = {}, target = h) =>
  signedPost('/retell/webhook', { event, event_timestamp: Date.now(), call, ...extra } satisfies CallWebhook, target);

/** HTTP 200, success, and the body (with the reason in the assertion message otherwise). */
function ok(res: Res): Record<string, any> {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json?.success, true, res.text);
  return res.json!;
}

/** A refusal the agent can speak: HTTP 200, `success: false`, the code, a German sentence. */
function spokenRefusal(res: Res, error: string): Record<string, any> {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json?.success, false, res.text);
  assert.equal(res.json?.error, error, res.text);
  assert.ok(looksGerman(res.json?.message), `a German sentence: ${res.json?.message}`);
  return res.json!;
}

interface AppointmentRow {
  id: number;
  status: string;
  start_utc: number;
  calcom_uid: string | null;
  customer_phone: string | null;
  company_id: string;
  call_id: string | null;
}
const row = (target: ServiceHarness, id: number) => target.db.prepare('SELECT * FROM appointments WHERE id = ?').get(id) as AppointmentRow | undefined;
const callRow = (callId: string) => h.db.prepare('SELECT * FROM calls WHERE call_id = ?').get(callId) as Record<string, any> | undefined;
const simBooking = (target: ServiceHarness, uid: string) => target.sim.control.bookings().find((b) => b.uid === uid) as Record<string, any> | undefined;
const requests = (target: ServiceHarness, op: 'create_booking' | 'slots' | 'cancel_booking') => target.sim.control.stats().requests[op] ?? 0;

// ---------- a realistic long call (transcripts with word-level timestamps) ----------

/** mulberry32: the same "conversation" every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENT_LINES = [
  'Guten Tag, hier ist die Rezeption vom Salon Schmidt, was kann ich für Sie tun?',
  'Sehr gern, ich schaue einmal nach, welche Termine am Freitag noch frei sind.',
  'Am Freitag ist um zehn Uhr, um halb elf und um vierzehn Uhr noch etwas frei. Welche Uhrzeit passt Ihnen?',
  'Darf ich noch Ihren Vor- und Nachnamen für die Buchung haben?',
  'Einen Moment bitte, ich trage den Termin gerade für Sie ein.',
  'Ihr Termin für einen Herrenhaarschnitt ist gebucht. Sie bekommen gleich noch eine Bestätigung.',
  'Möchten Sie zusätzlich eine Beratung zur Farbe, oder bleibt es beim Haarschnitt?',
  'Kein Problem, das kann ich gerne für Sie verschieben. Auf welchen Tag soll der Termin?',
  'Gibt es sonst noch etwas, bei dem ich Ihnen helfen kann?',
];
const USER_LINES = [
  'Ja hallo, ich würde gern einen Termin zum Haareschneiden ausmachen, am liebsten diese Woche noch.',
  'Hm, Freitag wäre eigentlich gut, aber eher nachmittags, so nach der Arbeit, geht das?',
  'Dann nehme ich vierzehn Uhr, das passt mir am besten.',
  'Mein Name ist Maximilian Mustermann, mit zwei n am Ende.',
  'Ach so, und können Sie mir sagen, ob Anna an dem Tag da ist? Die hat mir letztes Mal die Haare geschnitten.',
  'Nein, nur der Haarschnitt, danke. Wie lange dauert das ungefähr?',
  'Ähm, warten Sie kurz, ich schaue eben in meinen Kalender, einen Augenblick.',
  'Ich glaube, das wäre dann alles. Vielen Dank und einen schönen Tag noch.',
];

interface LongCall {
  transcript: string;
  transcript_object: TranscriptEntry[];
  transcript_with_tool_calls: ToolCallsEntry[];
  scrubbed_transcript_with_tool_calls: ToolCallsEntry[];
  latency: Retell.PhoneCallResponse.Latency;
  llm_token_usage: Retell.PhoneCallResponse.LlmTokenUsage;
  durationMs: number;
}

/**
 * `seconds` of a German booking conversation as Retell reports it: utterances with
 * word-level timestamps (seconds from the call's start, as float sums come out: 12.340000000000002),
 * tool call invocations and results (our JSON replies) every few turns, latency series per turn.
 */
function longCall(seconds: number, seed = 11): LongCall {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const transcriptObject: TranscriptEntry[] = [];
  const withTools: ToolCallsEntry[] = [];
  const scrubbed: ToolCallsEntry[] = [];
  const lines: string[] = [];
  const e2e: number[] = [];
  let t = 0.42;
  for (let turn = 0; t < seconds; turn++) {
    const role = turn % 2 === 0 ? 'agent' : 'user';
    const sentences = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(role === 'agent' ? AGENT_LINES : USER_LINES));
    const content = sentences.join(' ');
    const words = content.split(' ').map((word) => {
      const start = t;
      t += 0.16 + random() * 0.34;
      const end = t;
      t += 0.01 + random() * 0.08;
      return { word, start, end };
    });
    const utterance: TranscriptEntry = { role, content, words };
    transcriptObject.push(utterance);
    withTools.push(utterance);
    // Retell scrubs PII in the scrubbed variants (names and numbers become placeholders).
    const scrubbedContent = content.replace(/Maximilian Mustermann/g, '{{name}}');
    scrubbed.push({ role, content: scrubbedContent, words: words.map((w) => ({ ...w, word: w.word.replace(/Maximilian|Mustermann/, '{{name}}') })) });
    lines.push(`${role === 'agent' ? 'Agent' : 'User'}: ${content}`);
    e2e.push(Math.round(600 + random() * 900));
    if (role === 'user' && turn % 6 === 1) {
      const id = randomBytes(8).toString('hex');
      const args = JSON.stringify({ dienstleistung: HERREN, datum: 'Freitag', uhrzeit: 'nachmittags', execution_message: 'Einen Moment, ich schaue nach.' });
      const result = JSON.stringify({
        success: true,
        available: true,
        message: 'Am Freitag ist frei: 13 Uhr, 13:30 Uhr, 14 Uhr, 14:30 Uhr, 15 Uhr oder 15:30 Uhr. Welche Uhrzeit passt Ihnen?',
        free_slots: Array.from({ length: 6 }, (_, i) => ({ start: `2026-12-04T${12 + Math.floor(i / 2)}:${i % 2 ? '30' : '00'}:00.000Z`, spoken: 'Freitag, 4. Dezember um 13 Uhr' })),
      });
      const invocation: ToolCallsEntry = { role: 'tool_call_invocation', tool_call_id: id, name: 'check_availability', arguments: args };
      const outcome: ToolCallsEntry = { role: 'tool_call_result', tool_call_id: id, content: result, successful: true };
      withTools.push(invocation, outcome);
      scrubbed.push(invocation, outcome);
    }
    t += 0.5 + random() * 1.4;
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    return { min: sorted[0], max: sorted.at(-1), num: values.length, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), values };
  };
  const jitter = (base: number) => e2e.map((v) => Math.round(v * base + random() * 50));
  return {
    transcript: lines.join('\n'),
    transcript_object: transcriptObject,
    transcript_with_tool_calls: withTools,
    scrubbed_transcript_with_tool_calls: scrubbed,
    latency: { e2e: stats(e2e), llm: stats(jitter(0.45)), tts: stats(jitter(0.2)), asr: stats(jitter(0.1)) },
    llm_token_usage: { average: 2100, num_requests: e2e.length, values: jitter(3) },
    durationMs: t * 1000,
  };
}

/**
 * The fields of a finished call: every transcript variant the SDK types, plus the scrubbed
 * plain-text and object variants Retell's API reference lists but retell-sdk 5.x does not type
 * yet (`scrubbed_transcript`, `scrubbed_transcript_object` — unknown fields must be ignored).
 */
function finishedCallFields(conversation: LongCall) {
  return {
    transcript: conversation.transcript,
    transcript_object: conversation.transcript_object,
    transcript_with_tool_calls: conversation.transcript_with_tool_calls,
    scrubbed_transcript_with_tool_calls: conversation.scrubbed_transcript_with_tool_calls,
    latency: conversation.latency,
    llm_token_usage: conversation.llm_token_usage,
    recording_url: 'https://dxc03zgurdly9.cloudfront.net/call/recording.wav',
    public_log_url: 'https://dxc03zgurdly9.cloudfront.net/call/public.log',
  } satisfies Partial<PhoneCall>;
}
const untypedScrubbed = (conversation: LongCall) => ({
  scrubbed_transcript: conversation.transcript.replace(/Maximilian Mustermann/g, '{{name}}'),
  scrubbed_transcript_object: conversation.scrubbed_transcript_with_tool_calls.filter((u) => u.role === 'agent' || u.role === 'user'),
});

const MiB = 1024 * 1024;

// ---------- 1. real sizes ----------

test('a 30-minute call: call_ended and call_analyzed with every transcript variant (≥ 2 MiB together) are accepted and stored with duration and cost', async (t) => {
  const conversation = longCall(30 * 60);
  const startedAt = Date.now() - conversation.durationMs - 5_000;
  const base = phoneCall({ from_number: mobile(100), start_timestamp: startedAt });
  const ended: PhoneCall = {
    ...base,
    call_status: 'ended',
    end_timestamp: startedAt + conversation.durationMs,
    duration_ms: conversation.durationMs,
    disconnection_reason: 'user_hangup',
    call_cost: callCost(conversation.durationMs / 1000),
    ...finishedCallFields(conversation),
  };
  const analyzed: PhoneCall = {
    ...ended,
    call_analysis: { call_successful: true, call_summary: 'Der Anrufer hat einen Herrenhaarschnitt am Freitag um 14 Uhr gebucht.', user_sentiment: 'Positive', in_voicemail: false, custom_analysis_data: { gebucht: true } },
  };
  const endedRaw = JSON.stringify({ event: 'call_ended', event_timestamp: Date.now(), call: { ...ended, ...untypedScrubbed(conversation) } });
  const analyzedRaw = JSON.stringify({ event: 'call_analyzed', event_timestamp: Date.now(), call: { ...analyzed, ...untypedScrubbed(conversation) } });
  const sizes = [Buffer.byteLength(endedRaw), Buffer.byteLength(analyzedRaw)];
  assert.ok(conversation.durationMs >= 30 * 60_000, 'thirty minutes of conversation');
  t.diagnostic(`call_ended ${(sizes[0]! / MiB).toFixed(2)} MiB, call_analyzed ${(sizes[1]! / MiB).toFixed(2)} MiB, ${conversation.transcript_object.length} utterances`);
  assert.ok(sizes[0]! + sizes[1]! >= 2 * MiB, `both bodies together are ≥ 2 MiB (${sizes.map((s) => (s / MiB).toFixed(2)).join(' + ')} MiB)`);

  assert.equal((await webhook('call_started', base)).status, 200);
  const endedRes = await signedPost('/retell/webhook', endedRaw);
  assert.equal(endedRes.status, 200, endedRes.text);
  assert.equal(endedRes.json?.company, SALON);
  const analyzedRes = await signedPost('/retell/webhook', analyzedRaw);
  assert.equal(analyzedRes.status, 200, analyzedRes.text);

  const stored = callRow(base.call_id);
  assert.ok(stored, 'the call row exists');
  assert.equal(stored.company_id, SALON);
  assert.equal(stored.duration_ms, Math.round(conversation.durationMs));
  assert.equal(stored.ended_at, Math.round(startedAt + conversation.durationMs));
  assert.equal(stored.cost_raw_cents, ended.call_cost!.combined_cost);
  assert.ok(stored.cost_customer_cents > stored.cost_raw_cents, 'per-role costs computed on write');
  assert.notEqual(stored.status, 'ongoing');
});

test('a function call whose call carries the live transcript so far (≥ 1 MiB) is answered normally', async (t) => {
  const conversation = longCall(45 * 60, 12);
  const call = phoneCall({ from_number: mobile(101), start_timestamp: Date.now() - conversation.durationMs, ...finishedCallFields(conversation) });
  delete call.latency; // live: no post-call figures yet
  const body = { name: 'check_availability', call, args: { dienstleistung: HERREN, datum: germanDate(DA), uhrzeit: '10:00' } } satisfies FunctionCallBody;
  const raw = JSON.stringify(body);
  t.diagnostic(`function call body ${(Buffer.byteLength(raw) / MiB).toFixed(2)} MiB`);
  assert.ok(Buffer.byteLength(raw) >= MiB, `the body is ≥ 1 MiB (${(Buffer.byteLength(raw) / MiB).toFixed(2)} MiB)`);
  const reply = ok(await signedPost('/retell/function', raw));
  assert.equal(reply.available, true, reply.message);
  assert.equal(reply.start, iso(at(DA, '10:00')));
});

test('eight 30-minute call_ended webhooks at once are all accepted and stored', async () => {
  const conversation = longCall(30 * 60, 13);
  const calls = Array.from({ length: 8 }, (_, i) => {
    const startedAt = Date.now() - conversation.durationMs - 10_000 - i;
    return phoneCall({
      from_number: mobile(110 + i),
      call_status: 'ended',
      start_timestamp: startedAt,
      end_timestamp: startedAt + conversation.durationMs,
      duration_ms: conversation.durationMs + i,
      disconnection_reason: 'agent_hangup',
      call_cost: callCost(conversation.durationMs / 1000),
      ...finishedCallFields(conversation),
    });
  });
  const bodies = calls.map((call) => JSON.stringify({ event: 'call_ended', event_timestamp: Date.now(), call: { ...call, ...untypedScrubbed(conversation) } }));
  assert.ok(bodies.every((b) => Buffer.byteLength(b) >= MiB), 'each body is ≥ 1 MiB');
  const signatures: string[] = [];
  for (const raw of bodies) signatures.push(await sdkSign(raw, h.service.retellApiKey));
  const results = await Promise.all(bodies.map((raw, i) => send(h, '/retell/webhook', raw, signatures[i])));
  assert.deepEqual(results.map((r) => r.status), Array(8).fill(200), results.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const [i, call] of calls.entries()) {
    assert.equal(callRow(call.call_id)?.duration_ms, Math.round(conversation.durationMs + i), `call ${i} stored`);
  }
});

test('with small limits: a webhook over RETELL_WEBHOOK_BODY_LIMIT_BYTES is 413; a function call over RETELL_FUNCTION_BODY_LIMIT_BYTES is a spoken payload_too_large', async () => {
  const limit = 65_536;
  const small = await startServiceHarness({ env: { RETELL_WEBHOOK_BODY_LIMIT_BYTES: String(limit), RETELL_FUNCTION_BODY_LIMIT_BYTES: String(limit) } });
  try {
    const conversation = longCall(5 * 60, 14);
    const fits = phoneCall({ from_number: mobile(120), call_status: 'ended', duration_ms: 30_000, end_timestamp: Date.now() });
    const under = await webhook('call_ended', fits, {}, small);
    assert.equal(under.status, 200, `a small webhook still passes: ${under.text}`);

    const big = phoneCall({ from_number: mobile(121), call_status: 'ended', duration_ms: conversation.durationMs, end_timestamp: Date.now(), ...finishedCallFields(conversation) });
    const bigRaw = JSON.stringify({ event: 'call_ended', call: big } satisfies CallWebhook);
    assert.ok(Buffer.byteLength(bigRaw) > limit, 'the webhook is over the limit');
    const tooLarge = await signedPost('/retell/webhook', bigRaw, small);
    assert.equal(tooLarge.status, 413, tooLarge.text);
    assert.equal(tooLarge.json?.error, 'payload_too_large');
    assert.equal(count(small.db, 'calls', 'call_id = ?', big.call_id), 0, 'nothing stored');

    const live = phoneCall({ from_number: mobile(122), ...finishedCallFields(conversation) });
    const fnRaw = JSON.stringify({ name: 'check_availability', call: live, args: { dienstleistung: HERREN, datum: germanDate(DA) } } satisfies FunctionCallBody);
    assert.ok(Buffer.byteLength(fnRaw) > limit, 'the function call is over the limit');
    const refused = await signedPost('/retell/function', fnRaw, small);
    spokenRefusal(refused, 'payload_too_large');
  } finally {
    await small.stop();
  }
});

// ---------- 2. retry versus repeat ----------

const bookArgs = (day: DateTime, time: string, name: string) => ({ dienstleistung: HERREN, datum: germanDate(day), uhrzeit: time, name });

test('a retried book_appointment (same body, new signature) returns the same appointment: no second Cal.com booking, no second Cal.com read', async () => {
  const call = phoneCall({ from_number: mobile(200) });
  const body = { name: 'book_appointment', call, args: bookArgs(DA, '10:00', 'Max Retry') } satisfies FunctionCallBody;
  const first = ok(await signedPost('/retell/function', body));
  const creates = requests(h, 'create_booking');
  const slots = requests(h, 'slots');
  await sleep(2);
  const retried = await signedPost('/retell/function', body); // Retell's retry: the same bytes, signed again
  assert.deepEqual(ok(retried), first, 'the same answer');
  assert.equal(retried.json?.appointment_id, first.appointment_id);
  assert.equal(requests(h, 'create_booking'), creates, 'no second Cal.com booking');
  assert.equal(requests(h, 'slots'), slots, 'Cal.com is not read again');
  assert.equal(count(h.db, 'appointments', "start_utc = ? AND status = 'booked'", at(DA, '10:00')), 1);
});

test('in one call: book Friday 16:00 → cancel → book the same slot again is a new booking', async () => {
  const call = phoneCall({ from_number: mobile(201) });
  const args = bookArgs(FRI, '16:00', 'Eva Wiederbuch');
  const first = ok(await fn(call, 'book_appointment', args));
  const firstUid = row(h, first.appointment_id)!.calcom_uid!;
  const cancelled = ok(await fn(call, 'cancel_appointment', { termin_id: first.appointment_id }));
  assert.match(cancelled.message, /storniert/);
  assert.equal(row(h, first.appointment_id)!.status, 'cancelled');

  const again = ok(await fn(call, 'book_appointment', args)); // the same words, after the call changed its bookings
  assert.match(again.message, /gebucht/);
  assert.notEqual(again.appointment_id, first.appointment_id, 'a new appointment');
  const booked = row(h, again.appointment_id)!;
  assert.equal(booked.status, 'booked');
  assert.equal(booked.start_utc, at(FRI, '16:00'));
  assert.notEqual(booked.calcom_uid, firstUid);
  assert.equal(simBooking(h, booked.calcom_uid!)?.status, 'accepted', 'Cal.com has the new booking');
  assert.equal(simBooking(h, firstUid)?.status, 'cancelled');
});

test('in one call: cancel by caller number → book 17:30 → cancel again really cancels 17:30', async () => {
  const phone = mobile(202);
  const call = phoneCall({ from_number: phone });
  const earlier = ok(await fn(phoneCall({ from_number: phone }), 'book_appointment', bookArgs(DB, '15:00', 'Lea Zweimal')));
  const firstCancel = ok(await fn(call, 'cancel_appointment', {}));
  assert.equal(firstCancel.appointment_id, earlier.appointment_id);
  assert.equal(row(h, earlier.appointment_id)!.status, 'cancelled');

  const later = ok(await fn(call, 'book_appointment', bookArgs(DB, '17:30', 'Lea Zweimal')));
  const secondCancel = await fn(call, 'cancel_appointment', {}); // the same words as the first cancel
  ok(secondCancel);
  assert.equal(secondCancel.json?.appointment_id, later.appointment_id, 'the 17:30 appointment is the one cancelled');
  assert.match(secondCancel.json?.message, /storniert/);
  assert.ok(secondCancel.json?.message.includes('17:30'), secondCancel.json?.message);
  const laterRow = row(h, later.appointment_id)!;
  assert.equal(laterRow.status, 'cancelled');
  assert.equal(simBooking(h, laterRow.calcom_uid!)?.status, 'cancelled', 'Cal.com cancelled 17:30');
});

test('a repeat while the first request still runs gets the first answer: one Cal.com booking', async () => {
  const call = phoneCall({ from_number: mobile(203) });
  const body = { name: 'book_appointment', call, args: bookArgs(DA, '11:00', 'Paul Ungeduld') } satisfies FunctionCallBody;
  const creates = requests(h, 'create_booking');
  h.sim.control.setLatency('create_booking', { kind: 'fixed', ms: 1500 });
  try {
    const started = performance.now();
    const first = signedPost('/retell/function', body);
    await sleep(100);
    const repeat = signedPost('/retell/function', body);
    const [a, b] = await Promise.all([first, repeat]);
    assert.ok(performance.now() - started >= 1400, 'Cal.com was slow: the repeat arrived while the first still ran');
    const firstReply = ok(a);
    assert.deepEqual(ok(b), firstReply, 'the repeat carries the first answer');
    assert.equal(requests(h, 'create_booking'), creates + 1, 'one Cal.com create');
    assert.equal(h.sim.control.stats().activeBookingsBySlot[`1001@${iso(at(DA, '11:00'))}`], 1);
    assert.equal(count(h.db, 'appointments', 'start_utc = ?', at(DA, '11:00')), 1);
  } finally {
    resetLatency(h);
  }
});

test('staff cancel the booking in Cal.com after it was confirmed: a retry of the same book request does not say "gebucht"', async () => {
  const call = phoneCall({ from_number: mobile(204) });
  const body = { name: 'book_appointment', call, args: bookArgs(DA, '12:00', 'Nina Storno') } satisfies FunctionCallBody;
  const first = ok(await signedPost('/retell/function', body));
  assert.match(first.message, /gebucht/);
  const uid = row(h, first.appointment_id)!.calcom_uid!;

  h.sim.control.cancelExternalBooking(uid, 'Salon hat abgesagt');
  await h.sim.control.flushWebhooks();
  await waitFor(() => row(h, first.appointment_id)?.status === 'cancelled', 'the Cal.com cancellation to reach the appointment');

  const retried = await signedPost('/retell/function', body);
  assert.equal(retried.status, 200, retried.text);
  // MESSAGES.booked: "Ihr Termin für … ist gebucht: …" (a question like "was jetzt gebucht ist?" is no confirmation)
  assert.doesNotMatch(retried.json?.message ?? '', /ist gebucht/, 'no confirmation of a cancelled booking');
  assert.equal(retried.json?.success, false, retried.text);
  assert.ok(looksGerman(retried.json?.message));
});

// ---------- 3. outbound calls ----------

test('outbound call: the customer is to_number (check_customer, booking), the tenant comes from from_number', async () => {
  const customer = mobile(300);
  const call = phoneCall({ direction: 'outbound', from_number: SALON_NUMBER, to_number: customer, agent_id: UNCONFIGURED_AGENT });
  const checked = ok(await fn(call, 'check_customer'));
  assert.equal(checked.phone, customer, 'the customer number, not the salon');
  assert.equal(checked.known, false);

  const booked = ok(await fn(call, 'book_appointment', bookArgs(DA, '13:00', 'Otto Rückruf')));
  const appointment = row(h, booked.appointment_id)!;
  assert.equal(appointment.company_id, SALON);
  assert.equal(appointment.customer_phone, customer);
  assert.notEqual(appointment.customer_phone, SALON_NUMBER);
  assert.equal(simBooking(h, appointment.calcom_uid!)?.attendees[0].phoneNumber, customer);
  assert.equal(h.db.prepare('SELECT phone FROM customers WHERE phone = ?').get(SALON_NUMBER), undefined, 'the salon is never stored as a customer');

  const known = ok(await fn(call, 'check_customer'));
  assert.equal(known.known, true);
  assert.equal(known.customer.phone, customer);

  const ended = await webhook('call_ended', { ...call, call_status: 'ended', end_timestamp: Date.now(), duration_ms: 45_000 });
  assert.equal(ended.json?.company, SALON, 'the call belongs to the salon it was placed from');
  assert.equal(callRow(call.call_id)?.direction, 'outbound');
});

// ---------- 4. web calls and withheld caller ids ----------

test('web call (no numbers, tenant by agent_id): check_customer and cancel_appointment ask for the number', async () => {
  const call = webCall();
  for (const name of ['check_customer', 'cancel_appointment']) {
    const reply = spokenRefusal(await fn(call, name), 'phone_required');
    assert.doesNotMatch(reply.message, /scheint nicht zu stimmen/);
  }
  // the tenant is found: the salon's services are listed
  assert.match(ok(await fn(call, 'list_services')).message, /Herrenhaarschnitt/);
});

test('withheld caller ids: check_customer and cancel_appointment ask for the number, never "Die Telefonnummer scheint nicht zu stimmen"', async () => {
  // "+266696687" is what Twilio reports for a withheld caller id: it parses as digits but is no valid number.
  for (const withheld of ['anonymous', 'Anonymous', 'restricted', '+266696687', 'sip:anonymous@anonymous.invalid', '']) {
    const call = phoneCall({ from_number: withheld });
    for (const name of ['check_customer', 'cancel_appointment']) {
      const res = await fn(call, name);
      assert.equal(res.json?.error, 'phone_required', `${name} from "${withheld}": ${res.text}`);
      const reply = spokenRefusal(res, 'phone_required');
      assert.doesNotMatch(reply.message, /scheint nicht zu stimmen/, `${name} from "${withheld}"`);
    }
  }
});

// ---------- 5. 2xx for everything the agent should hear ----------

test('refusals the agent should hear are HTTP 200: unknown function, unknown number or agent, malformed JSON, malformed args', async () => {
  const call = phoneCall({ from_number: mobile(500) });
  spokenRefusal(await fn(call, 'book_a_table'), 'unknown_function');
  spokenRefusal(await fn(phoneCall({ to_number: '+493099999999' }), 'list_services'), 'unknown_tenant');
  spokenRefusal(await fn(webCall({ agent_id: 'agent_nobody_knows_this_one' }), 'list_services'), 'unknown_tenant');
  spokenRefusal(await signedPost('/retell/function', '{"name": "list_services", "call": {'), 'malformed_json');
  spokenRefusal(await signedPost('/retell/function', JSON.stringify({ name: 'list_services', call, args: 'morgen um zehn' })), 'invalid_payload');
  spokenRefusal(await signedPost('/retell/function', JSON.stringify({ name: 'list_services', call, args: ['morgen'] })), 'invalid_payload');
});

test('a bad signature is 401; an exact replay (same bytes, same header) is 401 replayed_signature and does nothing', async () => {
  const call = phoneCall({ from_number: mobile(501) });
  const raw = JSON.stringify({ name: 'book_appointment', call, args: bookArgs(DA, '09:30', 'Rita Replay') } satisfies FunctionCallBody);
  const forged = await send(h, '/retell/function', raw, await Retell.sign(raw, 'not-the-key'));
  assert.equal(forged.status, 401, forged.text);
  assert.equal(forged.json?.error, 'invalid_signature');
  assert.equal((await send(h, '/retell/function', raw, undefined)).status, 401);

  const signature = await sdkSign(raw, h.service.retellApiKey);
  const first = await send(h, '/retell/function', raw, signature);
  ok(first);
  const metricsBefore = (await request(`${h.url}/metrics`)).text;
  const creates = requests(h, 'create_booking');
  const slots = requests(h, 'slots');
  const replay = await send(h, '/retell/function', raw, signature);
  assert.equal(replay.status, 401, replay.text);
  assert.equal(replay.json?.error, 'replayed_signature');
  const metricsAfter = (await request(`${h.url}/metrics`)).text;
  const answered = (text: string) => sampleValue(text, 'retell_function_duration_seconds_count', { function: 'book_appointment', outcome: 'success' });
  assert.equal(answered(metricsAfter), answered(metricsBefore), 'the replay ran no function');
  assert.equal(requests(h, 'create_booking'), creates);
  assert.equal(requests(h, 'slots'), slots);

  // a webhook replay is refused too, and writes nothing
  const started = JSON.stringify({ event: 'call_started', call: phoneCall({ from_number: mobile(502) }) } satisfies CallWebhook);
  const webhookSignature = await sdkSign(started, h.service.retellApiKey);
  assert.equal((await send(h, '/retell/webhook', started, webhookSignature)).status, 200);
  const replayed = await send(h, '/retell/webhook', started, webhookSignature);
  assert.equal(replayed.status, 401);
  assert.equal(replayed.json?.error, 'replayed_signature');
});

test('webhooks: chat events and unknown events are acknowledged (2xx) and ignored; non-JSON is 400', async () => {
  const chat: Chat = { chat_id: `chat_${randomBytes(16).toString('hex')}`, agent_id: SALON_AGENT, chat_status: 'ongoing', chat_type: 'sms_chat', start_timestamp: Date.now() };
  for (const event of ['chat_started', 'chat_ended', 'chat_analyzed']) {
    const res = await signedPost('/retell/webhook', { event, chat });
    assert.ok(res.status >= 200 && res.status < 300, `${event}: ${res.text}`);
    assert.equal(res.json?.ignored, event);
  }
  for (const event of ['transcript_updated', 'transfer_started', 'call_some_future_event']) {
    const call = phoneCall({ from_number: mobile(503) });
    const res = await webhook(event, call);
    assert.ok(res.status >= 200 && res.status < 300, `${event}: ${res.text}`);
    assert.equal(callRow(call.call_id), undefined, `${event} stores nothing`);
  }
  for (const raw of ['call_started', '<xml/>', '{"event": "call_ended", "call": {']) {
    const res = await signedPost('/retell/webhook', raw);
    assert.equal(res.status, 400, `${raw}: ${res.text}`);
  }
});

// ---------- 6. real shapes ----------

test('real shapes: non-integer duration_ms and timestamps, a long SIP URI caller, args: null, unknown fields everywhere', async () => {
  // floats
  const start = Date.now() - 70_000 + 0.375;
  const duration = 61_234.567;
  const floats = phoneCall({ from_number: mobile(600), call_status: 'ended', start_timestamp: start, end_timestamp: start + duration, duration_ms: duration, call_cost: callCost(61.234567) });
  const res = await webhook('call_ended', floats);
  assert.equal(res.status, 200, res.text);
  assert.equal(callRow(floats.call_id)?.duration_ms, Math.round(duration));
  assert.equal(callRow(floats.call_id)?.started_at, Math.round(start));

  // a SIP URI longer than 40 characters: the customer number is its user part
  const phone = mobile(601);
  const sip = `sip:${phone}@sip.trunk.example.com;user=phone`;
  assert.ok(sip.length > 40);
  const sipCall = phoneCall({ from_number: sip });
  assert.equal(ok(await fn(sipCall, 'check_customer')).phone, phone);
  const booked = ok(await fn(sipCall, 'book_appointment', bookArgs(DA, '14:00', 'Sven Trunk')));
  assert.equal(row(h, booked.appointment_id)!.customer_phone, phone);
  const ended = await webhook('call_ended', { ...sipCall, call_status: 'ended', end_timestamp: Date.now(), duration_ms: 12_000.5 });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(callRow(sipCall.call_id)?.company_id, SALON);

  // args: null (seen from Retell) means no args
  assert.match(ok(await fn(phoneCall({ from_number: mobile(602) }), 'list_services', null)).message, /^Wir bieten an/);

  // unknown fields in the envelope, the call, its cost and the args
  const future = { ...phoneCall({ from_number: mobile(603) }), brand_new_field: { nested: [1, 'zwei', null] }, call_cost: { ...callCost(10), currency: 'USD', discount: { reason: 'promo' } } };
  const envelope = { event: 'call_started', event_timestamp: Date.now(), webhook_version: '2026-11', call: future, extra: true };
  assert.equal((await signedPost('/retell/webhook', envelope)).status, 200);
  assert.equal(callRow(future.call_id)?.company_id, SALON);
  const withExtras = await signedPost('/retell/function', { name: 'check_availability', call: future, args: { dienstleistung: HERREN, datum: germanDate(DA), uhrzeit: '15:00', execution_message: 'Einen Moment', ['__retell']: { x: 1 } }, tool_call_id: 'tc_1' });
  assert.equal(ok(withExtras).available, true);
});

// ---------- 7. out-of-order and retried events ----------

test('events out of order converge: a late call_started never reopens an ended call; call_analyzed before call_ended never leaves it ongoing', async () => {
  const late = phoneCall({ from_number: mobile(700) });
  const endedLate = { ...late, call_status: 'ended' as const, end_timestamp: Date.now(), duration_ms: 40_000 };
  assert.equal((await webhook('call_ended', endedLate)).status, 200);
  assert.equal((await webhook('call_started', late)).status, 200); // Retell's retry of the earlier event
  const lateRow = callRow(late.call_id)!;
  assert.equal(lateRow.status, 'ended');
  assert.equal(lateRow.duration_ms, 40_000);
  assert.equal(lateRow.ended_at, endedLate.end_timestamp);

  const early = phoneCall({ from_number: mobile(701) });
  const endedEarly = { ...early, call_status: 'ended' as const, end_timestamp: Date.now(), duration_ms: 20_000 };
  assert.equal((await webhook('call_started', early)).status, 200);
  assert.equal((await webhook('call_analyzed', { ...endedEarly, call_analysis: { call_successful: false, user_sentiment: 'Neutral' } })).status, 200);
  assert.equal((await webhook('call_ended', endedEarly)).status, 200);
  assert.equal((await webhook('call_started', early)).status, 200);
  const earlyRow = callRow(early.call_id)!;
  assert.ok(['analyzed', 'ended'].includes(earlyRow.status), `status ${earlyRow.status}`);
  assert.equal(earlyRow.duration_ms, 20_000);
});

test('unconnected dial attempts do not count as 0-second calls in the average duration', async () => {
  const day = DateTime.now().setZone(ZONE).startOf('day').minus({ days: 12 });
  const answered = phoneCall({ from_number: mobile(702), call_status: 'ended', start_timestamp: at(day, '10:00'), end_timestamp: at(day, '10:00') + 90_000, duration_ms: 90_000, disconnection_reason: 'user_hangup' });
  const attempt = (n: number, hhmm: string, reason: 'dial_no_answer' | 'dial_busy' | 'dial_failed', status: PhoneCall['call_status']) =>
    phoneCall({ direction: 'outbound', from_number: SALON_NUMBER, to_number: mobile(n), call_status: status, start_timestamp: at(day, hhmm), end_timestamp: at(day, hhmm), duration_ms: 0, disconnection_reason: reason });
  for (const call of [answered, attempt(703, '11:00', 'dial_no_answer', 'not_connected'), attempt(704, '11:05', 'dial_busy', 'not_connected'), attempt(705, '11:10', 'dial_failed', 'error')]) {
    const res = await webhook('call_ended', call);
    assert.equal(res.status, 200, res.text);
  }
  const stats = await request(`${h.url}/api/stats/calls?date=${day.toISODate()}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(stats.status, 200, stats.text);
  assert.equal(stats.json?.totalCalls, 4, 'dial attempts are calls');
  assert.equal(stats.json?.averageDurationSeconds, 90, 'but not calls of 0 seconds');
});

// ---------- 8. reschedule keeps the reference ----------

test('after reschedule_appointment, cancelling by the ORIGINAL appointment id cancels the moved appointment', async () => {
  const phone = mobile(800);
  const call = phoneCall({ from_number: phone });
  const booked = ok(await fn(call, 'book_appointment', bookArgs(DC, '10:00', 'Rolf Verschiebung')));
  const moved = ok(await fn(call, 'reschedule_appointment', { termin_id: booked.appointment_id, neues_datum: germanDate(DC), neue_uhrzeit: '11:30' }));
  assert.match(moved.message, /verschoben/);
  const movedId: number = moved.appointment_id ?? booked.appointment_id;

  const later = phoneCall({ from_number: phone }); // the caller calls back with the reference they were given
  const cancelled = await fn(later, 'cancel_appointment', { termin_id: booked.appointment_id });
  const reply = ok(cancelled);
  assert.match(reply.message, /storniert/);
  assert.doesNotMatch(reply.message, /bereits storniert/);
  assert.ok(reply.message.includes('11:30'), `the moved time: ${reply.message}`);
  const movedRow = row(h, movedId)!;
  assert.equal(movedRow.start_utc, at(DC, '11:30'));
  assert.equal(movedRow.status, 'cancelled');
  assert.equal(simBooking(h, movedRow.calcom_uid!)?.status, 'cancelled');
  assert.equal(count(h.db, 'appointments', "customer_phone = ? AND status IN ('booked', 'pending')", phone), 0, 'nothing of this caller stays booked');
});

// ---------- 9. still_processing ----------

test('still_processing replies carry an agent_instruction, and their message does not tell the caller to ask again', async () => {
  const slow = await startServiceHarness({ env: { FUNCTION_DEADLINE_MS: '300' } });
  try {
    const call = phoneCall({ from_number: mobile(900) });
    const args = bookArgs(DA, '10:00', 'Gudrun Geduld');
    // warm the cache, so only the create is slow (a cold first read may itself pass 300 ms on a busy machine)
    let warmed = await fn(call, 'check_availability', args, slow);
    for (let i = 0; i < 20 && warmed.json?.error === 'still_processing'; i++) warmed = (await sleep(100), await fn(call, 'check_availability', args, slow));
    ok(warmed);
    slow.sim.control.setLatency('create_booking', { kind: 'fixed', ms: 1500 });
    const first = await fn(call, 'book_appointment', args, slow);
    const pending = spokenRefusal(first, 'still_processing');
    assert.equal(typeof pending.agent_instruction, 'string');
    assert.ok(pending.agent_instruction.length > 20, pending.agent_instruction);
    assert.doesNotMatch(pending.message, /noch ?einmal|nochmal|erneut|wiederhol|später|rufen Sie/i, `the caller is not told to ask again: ${pending.message}`);

    let final: Record<string, any> | undefined;
    for (let i = 0; i < 50 && !final; i++) {
      await sleep(200);
      const again = await fn(call, 'book_appointment', args, slow);
      if (again.json?.error !== 'still_processing') final = again.json;
      else assert.ok(again.json?.agent_instruction, 'every still_processing carries the instruction');
    }
    assert.equal(final?.success, true, JSON.stringify(final));
    assert.equal(requests(slow, 'create_booking'), 1, 'one Cal.com create');
  } finally {
    await slow.stop();
  }
});

// ---------- 10. German phrases ----------

// English phrases are parsed in src/domain by another change and tested there; here only the
// German path is held to still work through the Retell boundary.
test('German phrases still work through the boundary (English is tested with its parser)', async () => {
  const reply = ok(await fn(phoneCall({ from_number: mobile(1000) }), 'check_availability', { dienstleistung: 'Herrenschnitt', datum: germanDate(DC), uhrzeit: 'halb drei' }));
  assert.equal(reply.available, true, reply.message);
  assert.equal(reply.start, iso(at(DC, '14:30')));
  assert.match(reply.message, /14:30 Uhr/);
});
