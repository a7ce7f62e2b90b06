// `npm run demo -- [http://127.0.0.1:3000]`: plays a whole German phone call against a
// running service (started with `npm start`, built-in Cal.com simulator): the caller is
// recognised, asks for a free time tomorrow, books, then cancels.
import { RetellCaller } from '../src/retell/caller.ts';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000';
const caller = new RetellCaller({
  baseUrl,
  apiKey: process.env.RETELL_API_KEY ?? 'dev-retell-key',
  toNumber: process.env.DEMO_TO_NUMBER ?? '+493012345678',
  fromNumber: process.env.DEMO_FROM_NUMBER ?? '+4915112345678',
});

const say = (who: string, text: string) => console.log(`${who.padEnd(8)} ${text}`);

// One line instead of a stack trace when nothing answers at that address.
try {
  await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
} catch (error) {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  console.error(`Demo: the service at ${baseUrl} is not reachable (${why}) — start it with \`npm start\`, or pass its URL: npm run demo -- http://host:port`);
  process.exit(1);
}
async function step(name: string, args: Record<string, unknown>) {
  const { status, body } = await caller.fn(name, args);
  say('Agent:', `${body.message}   [${name} → HTTP ${status}${body.error ? `, ${body.error}` : ''}]`);
  return body;
}

await caller.event('call_started', { start_timestamp: Date.now() });
say('Anrufer:', 'Guten Tag, hier ist Max Mustermann.');
await step('check_customer', {});
say('Anrufer:', 'Haben Sie übermorgen nachmittags was frei für einen Herrenhaarschnitt?');
const free = await step('check_availability', { dienstleistung: 'Herrenhaarschnitt', datum: 'übermorgen', uhrzeit: 'nachmittags' });
const first = free.free_slots?.[0]?.start as string | undefined;
if (!first) {
  say('Demo:', 'no free slot found — is the service running on the simulator?');
  process.exit(1);
}
const time = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(new Date(first));
say('Anrufer:', `Dann bitte um ${time}.`);
const booked = await step('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: 'übermorgen', uhrzeit: time, name: 'Max Mustermann' });
say('Anrufer:', 'Ach, mir fällt ein, da kann ich doch nicht. Bitte stornieren.');
await step('cancel_appointment', { termin_id: booked.appointment_id });
await caller.event('call_ended', { start_timestamp: Date.now() - 90_000, end_timestamp: Date.now(), duration_ms: 90_000, disconnection_reason: 'user_hangup', call_cost: { combined_cost: 12.5 } });
say('Demo:', `done — call ${caller.callId}`);
