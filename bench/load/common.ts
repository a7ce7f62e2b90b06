import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { join } from 'node:path';
import { signRetellBody } from '../../src/retell/signature.ts';
import type { Stack } from '../stack/stack.ts';

export const ZONE = 'Europe/Berlin';

/** Working days (Mon–Sat) from `fromDays` ahead, as luxon dates in Berlin. */
export function workdays(fromDays: number, count: number): DateTime[] {
  const days: DateTime[] = [];
  for (let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: fromDays }); days.length < count; d = d.plus({ days: 1 })) {
    if (d.weekday !== 7) days.push(d);
  }
  return days;
}

export const germanDate = (day: DateTime) => day.toFormat('dd.MM.yyyy');

/** Reads a counter family from the service's /metrics as { labels → value }. */
export async function scrape(url: string, family: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family} `)) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(family.length, space), Number(line.slice(space + 1)));
  }
  return values;
}

export function counter(values: Map<string, number>, labelPart: string): number {
  let sum = 0;
  for (const [labels, value] of values) if (labels.includes(labelPart)) sum += value;
  return sum;
}

/** The service's SQLite file, read-only (WAL lets us read while it runs). */
export function openDatabase(stack: Stack): Database.Database {
  return new Database(join(stack.dir, 'booking.sqlite'), { readonly: true, fileMustExist: true });
}

export function serverTimingCalcomMs(header: string | string[] | undefined | null): number {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const match = /calcom;dur=([\d.]+)/.exec(value);
  return match ? Number(match[1]) : NaN;
}

export interface FunctionLoad {
  /** Arrivals per second, and for how long; every request's answer is awaited and counted. */
  rate: number;
  seconds: number;
  connections: number;
  /** The next call: function name, args and the caller's numbers. */
  next(): { name: string; args: Record<string, unknown>; call: Record<string, unknown> };
  onAnswer(status: number, body: string, latencyMs: number, serverTimingCalcomMs: number): void;
}

/** Signed Retell function calls at a fixed arrival rate, driven by autocannon. */
export function runFunctionLoad(stack: Stack, load: FunctionLoad): Promise<autocannon.Result> {
  return autocannon({
    url: `${stack.url}/retell/function`,
    connections: load.connections,
    overallRate: load.rate,
    amount: load.rate * load.seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: any, context: any) => {
          const body = JSON.stringify(load.next());
          context.sentAt = performance.now();
          return { ...request, body, headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(body, stack.retellApiKey) } };
        },
        onResponse: (status: number, body: string, context: any, headers?: Record<string, string | string[] | undefined>) => {
          // autocannon hands headers over with their original case.
          const timing = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'server-timing')?.[1];
          load.onAnswer(status, body, performance.now() - context.sentAt, serverTimingCalcomMs(timing));
        },
      },
    ],
  });
}
