// Scenario 1 — "same slot": 50 booking requests/s, all for one slot, different callers.
// Exactly one booking may result, in Cal.com and in SQLite; nobody gets a 5xx; every other
// caller hears slot_no_longer_available with alternatives.
import { randomUUID } from 'node:crypto';
import { summarize } from '../lib.ts';
import type { LoadCompany } from '../stack/load-catalog.ts';
import type { Stack } from '../stack/stack.ts';
import { germanDate, openDatabase, runFunctionLoad, workdays } from './common.ts';

export async function sameSlot(stack: Stack, company: LoadCompany, options: { rate: number; seconds: number }) {
  const day = workdays(3, 1)[0]!;
  const args = { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(day), uhrzeit: '10:00', name: 'Lasttest Kunde' };
  const slotStart = day.set({ hour: 10 }).toUTC().toISO({ suppressMilliseconds: false })!;
  const outcomes = new Map<string, number>();
  const latencies: number[] = [];
  let withAlternatives = 0;

  const result = await runFunctionLoad(stack, {
    rate: options.rate,
    seconds: options.seconds,
    connections: options.rate * 5, // slow answers must never hold back the arrival rate
    next: () => ({
      call: { call_id: `load_${randomUUID()}`, to_number: company.phone, from_number: `+4917${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`, direction: 'inbound' },
      name: 'book_appointment',
      args,
    }),
    onAnswer: (status, body, latencyMs) => {
      latencies.push(latencyMs);
      let key = `http_${status}`;
      try {
        const reply = JSON.parse(body);
        key = reply.success ? 'booked' : reply.error;
        if (reply.error === 'slot_no_longer_available' && reply.alternatives?.length > 0) withAlternatives++;
      } catch {}
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    },
  });

  const stats = await stack.sim.stats();
  const db = openDatabase(stack);
  const localBooked = (db.prepare("SELECT COUNT(*) AS n FROM appointments WHERE start_utc = ? AND status = 'booked'").get(Date.parse(slotStart)) as { n: number }).n;
  db.close();
  const calcomBookings = Object.entries(stats.activeBookingsBySlot).filter(([slot]) => slot.startsWith(`${company.eventTypeId}@`)).reduce((n, [, c]) => n + c, 0);
  const refused = outcomes.get('slot_no_longer_available') ?? 0;
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  return {
    requests: total,
    outcomes: Object.fromEntries(outcomes),
    non2xx: result.non2xx,
    errors: result.errors,
    calcomBookings,
    localBookings: localBooked,
    refusedWithAlternatives: withAlternatives,
    latencyMs: summarize(latencies, options.seconds * 1000),
    ok: calcomBookings === 1 && localBooked === 1 && result.non2xx === 0 && result.errors === 0 && (outcomes.get('booked') ?? 0) === 1 && refused === total - 1 && withAlternatives === refused,
  };
}
