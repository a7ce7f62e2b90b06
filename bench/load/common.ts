import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { Pool } from 'undici';
import { join } from 'node:path';
import { signRetellBody } from '../../src/retell/signature.ts';
import type { Stack } from '../stack/stack.ts';
import { publicHoliday } from '../../src/domain/holidays.ts';

export const ZONE = 'Europe/Berlin';

/** Working days (Mon–Sat, not public holidays) from `fromDays` ahead, as luxon dates in Berlin. */
export function workdays(fromDays: number, count: number): DateTime[] {
  const days: DateTime[] = [];
  for (let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: fromDays }); days.length < count; d = d.plus({ days: 1 })) {
    if (d.weekday !== 7 && !publicHoliday(d.toISODate()!)) days.push(d);
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

/** A named duration of a `Server-Timing` header (`calcom`, `mailbox`, `function`), NaN if absent. */
export function serverTiming(header: string | string[] | undefined | null, name: string): number {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const match = new RegExp(`${name};dur=([\\d.]+)`).exec(value);
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

/**
 * Signed Retell function calls at a fixed arrival rate, driven by autocannon. Latency is
 * autocannon's own, from the request's write to its response (not from when it was built,
 * which would count the wait for the rate limiter's next tick).
 */
export function runFunctionLoad(stack: Pick<Stack, 'url' | 'retellApiKey'>, load: FunctionLoad): Promise<autocannon.Result> {
  // autocannon calls onResponse and then emits 'response' for the same answer, synchronously.
  let answer: { body: string; calcomMs: number } | undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${stack.url}/retell/function`,
        connections: load.connections,
        overallRate: load.rate,
        amount: load.rate * load.seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (request: any) => {
              const body = JSON.stringify(load.next());
              return { ...request, body, headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(body, stack.retellApiKey) } };
            },
            onResponse: (_status: number, body: string, _context: unknown, headers?: Record<string, string | string[] | undefined>) => {
              // autocannon hands headers over with their original case.
              const timing = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'server-timing')?.[1];
              answer = { body, calcomMs: serverTiming(timing, 'calcom') };
            },
          },
        ],
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
      load.onAnswer(status, answer?.body ?? '', responseTimeMs, answer?.calcomMs ?? NaN);
      answer = undefined;
    });
  });
}

/**
 * An open-loop driver: requests leave at a fixed rate whatever the answers do (as callers
 * arrive), over a keep-alive undici pool, and each latency is measured from its own send to
 * its answer. Used where latency percentiles matter: autocannon's per-connection rate limiter
 * releases requests in bursts, which adds its own queueing to what it measures.
 */
export async function runOpenLoop(stack: Pick<Stack, 'url' | 'retellApiKey'>, load: Omit<FunctionLoad, 'connections'>): Promise<{ sent: number; non2xx: number; errors: number }> {
  const pool = new Pool(stack.url, { connections: 32, pipelining: 1 });
  const totals = { sent: 0, non2xx: 0, errors: 0 };
  const inflight: Promise<void>[] = [];
  const interval = 1000 / load.rate;
  const started = performance.now();
  for (let i = 0; i < load.rate * load.seconds; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify(load.next());
    const sentAt = performance.now();
    totals.sent++;
    inflight.push(
      pool
        .request({ method: 'POST', path: '/retell/function', headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(body, stack.retellApiKey) }, body })
        .then(async (response) => {
          const text = await response.body.text();
          const latency = performance.now() - sentAt;
          if (response.statusCode >= 300) totals.non2xx++;
          load.onAnswer(response.statusCode, text, latency, serverTiming(response.headers['server-timing'], 'calcom'));
        })
        .catch(() => void totals.errors++),
    );
  }
  await Promise.all(inflight);
  await pool.close();
  return totals;
}
