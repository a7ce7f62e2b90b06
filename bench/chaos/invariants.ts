import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mailboxName } from '../../src/runtime/partition.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import type { Stack } from '../stack/stack.ts';
import type { BookingRecord } from './workload.ts';
import { sleep } from './workload.ts';

export interface InvariantReport {
  /** Accepted bookings in the simulator. */
  liveCalcomBookings: number;
  /** Local appointments with status 'booked'. */
  liveLocalAppointments: number;
  pendingAppointments: number;
  openOrphans: number;
  /** Pairs of live Cal.com bookings of one host that overlap. */
  overlappingCalcomBookings: number;
  /** Replies with success:true whose appointment is not booked locally and live in Cal.com. */
  lostSuccesses: number;
  /** Every broken rule, one line each (capped at 20 in `details`). */
  violations: number;
  details: string[];
}

interface Row {
  id: number;
  status: string;
  calcom_uid: string | null;
  calendar_key: string;
  company_id: string;
  start_utc: number;
  end_utc: number;
  command_id: string | null;
}

/**
 * The crash-safety invariants, from the simulator's bookings and the SQLite file
 * (opened read-only; WAL lets it be read while the service writes):
 * every live Cal.com booking has exactly one live local appointment and vice versa, no
 * two live Cal.com bookings (or local appointments) of a calendar overlap, no orphan is
 * open, no appointment is pending, and every success the agent heard is booked.
 */
export async function checkInvariants(stack: Stack, successes: BookingRecord[]): Promise<InvariantReport> {
  const [bookings, stats] = await Promise.all([stack.sim.bookings(), stack.sim.stats()]);
  const db = new Database(join(stack.dir, 'booking.sqlite'), { readonly: true, fileMustExist: true });
  let rows: Row[];
  let openOrphans: number;
  try {
    rows = db.prepare('SELECT id, status, calcom_uid, calendar_key, company_id, start_utc, end_utc, command_id FROM appointments').all() as Row[];
    openOrphans = (db.prepare('SELECT COUNT(*) AS n FROM orphaned_bookings WHERE resolved_at IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }

  const problems: string[] = [];
  const live = bookings.filter((b) => b.status.toLowerCase() === 'accepted');
  const liveByUid = new Map(live.map((b) => [b.uid, b]));
  const booked = rows.filter((r) => r.status === 'booked');
  const bookedByUid = new Map<string, Row[]>();
  for (const row of booked) {
    if (!row.calcom_uid) {
      problems.push(`appointment ${row.id} is booked without a Cal.com uid`);
      continue;
    }
    bookedByUid.set(row.calcom_uid, [...(bookedByUid.get(row.calcom_uid) ?? []), row]);
  }

  for (const b of live) {
    const local = bookedByUid.get(b.uid) ?? [];
    if (local.length !== 1) problems.push(`Cal.com booking ${b.uid} (${b.start}, command ${b.metadata.commandId ?? '-'}) has ${local.length} live local appointments`);
  }
  for (const row of booked) {
    if (!row.calcom_uid) continue;
    const b = liveByUid.get(row.calcom_uid);
    if (!b) problems.push(`appointment ${row.id} (${new Date(row.start_utc).toISOString()}) is booked but Cal.com booking ${row.calcom_uid} is not live`);
    else if (Date.parse(b.start) !== row.start_utc) problems.push(`appointment ${row.id} starts ${new Date(row.start_utc).toISOString()}, its Cal.com booking ${b.start}`);
  }
  if (stats.overlappingActiveBookings > 0) problems.push(`${stats.overlappingActiveBookings} pairs of live Cal.com bookings overlap`);

  const byCalendar = new Map<string, Row[]>();
  for (const row of booked) {
    const key = `${row.company_id}/${row.calendar_key}`;
    byCalendar.set(key, [...(byCalendar.get(key) ?? []), row]);
  }
  for (const [calendar, list] of byCalendar) {
    list.sort((a, b) => a.start_utc - b.start_utc);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.start_utc < list[i - 1]!.end_utc) problems.push(`local appointments ${list[i - 1]!.id} and ${list[i]!.id} overlap on ${calendar}`);
    }
  }

  const pending = rows.filter((r) => r.status === 'pending');
  for (const row of pending) problems.push(`appointment ${row.id} (command ${row.command_id}) is still pending`);
  if (openOrphans > 0) problems.push(`${openOrphans} orphaned Cal.com bookings are still open`);

  const byId = new Map(rows.map((r) => [r.id, r]));
  let lostSuccesses = 0;
  for (const s of successes) {
    const row = s.appointmentId === undefined ? undefined : byId.get(s.appointmentId);
    const ok = row && row.status === 'booked' && row.calcom_uid && liveByUid.has(row.calcom_uid) && row.start_utc === Date.parse(s.start);
    if (!ok) {
      lostSuccesses++;
      problems.push(`call ${s.callId} heard success for appointment ${s.appointmentId} at ${s.start}, which is ${row ? row.status : 'missing'} locally`);
    }
  }

  return {
    liveCalcomBookings: live.length,
    liveLocalAppointments: booked.length,
    pendingAppointments: pending.length,
    openOrphans,
    overlappingCalcomBookings: stats.overlappingActiveBookings,
    lostSuccesses,
    violations: problems.length,
    details: problems.slice(0, 20),
  };
}

/** Commands waiting, delayed or running in the mailboxes (BullMQ lists of the `vbr` prefix). */
export async function queuedCommands(stack: Stack, partitions = 16, prefix = 'vbr'): Promise<number> {
  const redis = connectRedis({ path: stack.redisSocket }, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pipeline = redis.pipeline();
    for (let p = 0; p < partitions; p++) {
      const base = `${prefix}:${mailboxName(p)}`;
      pipeline.llen(`${base}:wait`).llen(`${base}:active`).zcard(`${base}:delayed`).zcard(`${base}:prioritized`);
    }
    const results = (await pipeline.exec()) ?? [];
    return results.reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
  } catch {
    return -1;
  } finally {
    redis.disconnect();
  }
}

export interface Settled {
  report: InvariantReport;
  settleMs: number;
  /** Commands still in the mailboxes (0 when settled; -1 if Redis could not be asked). */
  queued: number;
  /** An orphan sweep completed after the wait began. */
  swept: boolean;
}

/** Broken invariants plus "not settled" (commands still queued, no sweep ran). */
export function settleViolations(settled: Settled): number {
  return settled.report.violations + (settled.queued === 0 ? 0 : 1) + (settled.swept ? 0 : 1);
}

export function describeSettled(settled: Settled): string {
  return `settled in ${settled.settleMs} ms (${settled.queued} commands queued, ${settled.swept ? 'a sweep ran since' : 'NO sweep ran'}): ${settled.report.violations} violations`;
}

/** When the last maintenance job (the orphan sweep) finished, epoch ms; undefined if none or Redis is away. */
export async function lastSweepFinishedAt(stack: Stack, prefix = 'vbr'): Promise<number | undefined> {
  const redis = connectRedis({ path: stack.redisSocket }, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const [, score] = await redis.zrevrange(`${prefix}:maintenance:completed`, 0, 0, 'WITHSCORES');
    return score === undefined ? undefined : Number(score);
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/**
 * Waits until the mailboxes are empty, an orphan sweep has completed since the wait began,
 * and the invariants hold (redeliveries, webhooks and sweeps have run), or the timeout
 * passes; returns the last report and how long it took.
 */
export async function settle(stack: Stack, successes: BookingRecord[], timeoutMs: number): Promise<Settled> {
  const started = Date.now();
  for (;;) {
    const swept = ((await lastSweepFinishedAt(stack)) ?? 0) >= started;
    const queued = await queuedCommands(stack);
    const report = await checkInvariants(stack, successes);
    const done = swept && queued === 0 && report.violations === 0;
    if (done || Date.now() - started > timeoutMs) return { report, settleMs: Date.now() - started, queued, swept };
    await sleep(250);
  }
}

/** Pending intents right now (e.g. just after a kill: commands that died between intent and reply). */
export function pendingIntents(stack: Stack): number {
  try {
    const db = new Database(join(stack.dir, 'booking.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM appointments WHERE status = 'pending'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return -1;
  }
}
