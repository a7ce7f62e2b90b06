import { callLatencies, fmt, outcomeCounts, percentiles, startChaosStack, unavailableButFree, type Log, type Percentiles } from './common.ts';
import { describeSettled, pendingIntents, settle, settleViolations, type InvariantReport } from './invariants.ts';
import { BookingWorkload, mulberry32, sleep } from './workload.ts';

export interface CrashOptions {
  kills: number;
  callers?: number;
  salons?: number;
  /** The service runs this long (uniform random) between a restart and the next SIGKILL. */
  minUpMs?: number;
  maxUpMs?: number;
  /** Load keeps running this long after the last restart before the callers stop. */
  tailMs?: number;
  settleTimeoutMs?: number;
  seed?: number;
  log?: Log;
}

export interface CrashResult {
  scenario: 'crash';
  kills: number;
  callers: number;
  bookingsAttempted: number;
  bookingsSucceeded: number;
  outcomes: Record<string, number>;
  /** "Slot taken" answers whose slot is free in Cal.com at the end (informational). */
  unavailableButFree: number;
  /** Booking requests on the wire at the moment of each kill, summed. */
  bookingRequestsCutByKills: number;
  /** Kills after which SQLite held at least one pending intent (the kill landed between intent and reply). */
  killsWithPendingIntent: number;
  pendingIntentsAtKills: number;
  restartMs: Percentiles;
  bookLatencyMs: Percentiles;
  settleMs: number;
  liveCalcomBookings: number;
  liveLocalAppointments: number;
  violations: number;
  invariants: InvariantReport;
  durationMs: number;
}

/**
 * SIGKILLs the service at random moments while callers book, restarts it each time, lets
 * it settle after the last restart and checks the crash-safety invariants.
 */
export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const log = options.log ?? (() => {});
  const callers = options.callers ?? 8;
  const random = mulberry32(options.seed ?? 7);
  const started = Date.now();
  const { stack, companies, close } = await startChaosStack(options.salons ?? 4);
  try {
    const workload = new BookingWorkload(stack, companies, { callers, horizonDays: 28, retryWindowMs: 60_000 }, options.seed ?? 7);
    workload.start();
    const restarts: number[] = [];
    let cut = 0;
    let killsWithPending = 0;
    let pendingTotal = 0;
    for (let kill = 1; kill <= options.kills; kill++) {
      const upMs = (options.minUpMs ?? 800) + random() * ((options.maxUpMs ?? 3000) - (options.minUpMs ?? 800));
      await sleep(upMs);
      const inFlight = workload.bookingsInFlight;
      await stack.killService();
      const pending = pendingIntents(stack);
      const t0 = Date.now();
      await stack.startService();
      restarts.push(Date.now() - t0);
      cut += inFlight;
      if (pending > 0) killsWithPending++;
      pendingTotal += Math.max(0, pending);
      const ok = workload.succeeded.length;
      log(
        `kill ${kill}/${options.kills} after ${Math.round(upMs)} ms up: ${inFlight} booking requests in flight, ${pending} pending intents; ` +
          `restarted in ${restarts.at(-1)} ms; bookings ${ok} booked / ${workload.records.length} attempted`,
      );
    }
    await sleep(options.tailMs ?? 2000);
    log('last restart done: stopping callers (open bookings are asked again until answered)');
    await workload.stop();
    const settled = await settle(stack, workload.succeeded, options.settleTimeoutMs ?? 60_000);
    const { report, settleMs } = settled;
    log(describeSettled(settled));
    for (const line of report.details) log(`  violation: ${line}`);
    const outcomes = outcomeCounts(workload.records);
    const falseTaken = unavailableButFree(workload.records, companies, await stack.sim.bookings());
    log(`${falseTaken} of ${outcomes.slot_unavailable ?? 0} "slot taken" answers name a slot that is free in Cal.com at the end`);
    const bookLatencyMs = callLatencies(workload.calls, 'book_appointment');
    log(`outcomes ${JSON.stringify(outcomes)}; book_appointment ${fmt(bookLatencyMs)}; restart ${fmt(percentiles(restarts))}`);
    return {
      scenario: 'crash',
      kills: options.kills,
      callers,
      bookingsAttempted: workload.records.length,
      bookingsSucceeded: workload.succeeded.length,
      outcomes,
      unavailableButFree: falseTaken,
      bookingRequestsCutByKills: cut,
      killsWithPendingIntent: killsWithPending,
      pendingIntentsAtKills: pendingTotal,
      restartMs: percentiles(restarts),
      bookLatencyMs,
      settleMs,
      liveCalcomBookings: report.liveCalcomBookings,
      liveLocalAppointments: report.liveLocalAppointments,
      violations: settleViolations(settled),
      invariants: report,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    log(`service output:\n${stack.serviceOutput()}`);
    throw error;
  } finally {
    await close();
  }
}
