import { DateTime } from 'luxon';
import { request } from 'undici';
import { CalcomClient, type CalcomClientOptions, type CalcomRequestObservation } from '../../src/calcom/index.ts';
import { startCalcomSimulator, type CalcomSimulator, type CalcomSimulatorOptions } from '../../src/simulator/index.ts';

export const ZONE = 'Europe/Berlin';
export const API_KEY = 'cal_test_simulator';

/** Two event types of one host: a 60-minute and a 30-minute service that collide. */
export const EVENT_TYPES = [
  { id: 11, slug: 'damen-60', title: 'Damenhaarschnitt', lengthInMinutes: 60, slotIntervalMinutes: 30 },
  { id: 12, slug: 'herren-30', title: 'Herrenhaarschnitt', lengthInMinutes: 30 },
];

export function startSim(options: CalcomSimulatorOptions = {}): Promise<CalcomSimulator> {
  return startCalcomSimulator({ randomSeed: 42, apiKey: API_KEY, eventTypes: EVENT_TYPES, ...options });
}

/** Monday of next week in Berlin (default hours are Mon–Fri 09–18), at hh:mm local. */
export function nextMonday(hour = 0, minute = 0): DateTime {
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 1 }).set({ hour, minute, second: 0, millisecond: 0 });
}

export const utc = (dt: DateTime) => dt.toUTC().toISO() as string;

/**
 * A client wired for tests: instant sleeps (delays recorded) on a clock that a sleep moves
 * forward, so that waiting for a rate-limit reset takes no real time; every observation kept.
 */
export function testClient(sim: CalcomSimulator, overrides: Partial<CalcomClientOptions> = {}) {
  const delays: number[] = [];
  const observations: CalcomRequestObservation[] = [];
  let skew = 0;
  const client = new CalcomClient({
    baseUrl: sim.url,
    apiKey: API_KEY,
    random: () => 0.5,
    now: () => performance.now() + skew,
    sleep: async (ms) => {
      delays.push(ms);
      skew += ms;
    },
    onRequest: (o) => observations.push(o),
    ...overrides,
  });
  return { client, delays, observations };
}

export function attendee(name = 'Erika Mustermann') {
  return { name, email: 'erika@example.com', timeZone: ZONE, language: 'de', phoneNumber: '+491701234567' };
}

/** A raw request, for what the typed client refuses to send. */
export async function raw(
  sim: CalcomSimulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const res = await request(sim.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}
