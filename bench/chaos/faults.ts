import { callLatencies, fmt, outcomeCounts, startChaosStack, type Log, type Percentiles } from './common.ts';
import { describeSettled, settle, settleViolations, type InvariantReport } from './invariants.ts';
import { BookingWorkload, sleep } from './workload.ts';

/** 20 % of Cal.com requests fail: 7 % 429, 7 % 500, 6 % hang for 8 s (longer than the client waits). */
export const CALCOM_FAULTS = { rates: { '429': 0.07, '5xx': 0.07, timeout: 0.06 }, hangMs: 8000 };

export interface FaultsOptions {
  /** How long callers book against the faulty Cal.com. */
  durationMs: number;
  callers?: number;
  salons?: number;
  /** FUNCTION_DEADLINE_MS of the service (default 8000). */
  deadlineMs?: number;
  /** Client-side allowance on top of the deadline (HTTP, JSON, a busy 2-core machine). */
  slackMs?: number;
  settleTimeoutMs?: number;
  log?: Log;
}

export interface FaultsResult {
  scenario: 'faults';
  durationMs: number;
  callers: number;
  functionCalls: number;
  /** Calls answered later than deadline + slack, or without a structured 200 reply. */
  lateReplies: number;
  unstructuredReplies: number;
  latencyMs: Percentiles;
  bookLatencyMs: Percentiles;
  checkLatencyMs: Percentiles;
  /** Error codes of function replies (success:false) during the faults. */
  replyErrors: Record<string, number>;
  calcomFaultsInjected: Record<string, number>;
  bookingsAttempted: number;
  bookingsSucceeded: number;
  outcomes: Record<string, number>;
  settleMs: number;
  liveCalcomBookings: number;
  violations: number;
  invariants: InvariantReport;
}

/**
 * Callers book while the simulator fails 20 % of Cal.com requests (429, 5xx, hangs).
 * Every function call must answer within its deadline with a structured reply; after the
 * faults stop and the sweeper has run, no orphan or pending intent may remain and the
 * crash invariants must hold.
 */
export async function runFaults(options: FaultsOptions): Promise<FaultsResult> {
  const log = options.log ?? (() => {});
  const callers = options.callers ?? 8;
  const deadlineMs = options.deadlineMs ?? 8000;
  const limit = deadlineMs + (options.slackMs ?? 500);
  const { stack, companies, close } = await startChaosStack(options.salons ?? 4, { FUNCTION_DEADLINE_MS: String(deadlineMs) });
  try {
    await stack.sim.setFaults('*', CALCOM_FAULTS);
    // The agent asks again (same command) for up to 10 s after "still processing" or a technical error; every reply is judged.
    const workload = new BookingWorkload(stack, companies, { callers, horizonDays: 28, retryWindowMs: 10_000, retryPauseMs: 500 }, 23);
    const started = Date.now();
    workload.start();
    for (let t = 0; t < options.durationMs; t += 5000) {
      await sleep(Math.min(5000, options.durationMs - t));
      const late = workload.calls.filter((c) => c.ms > limit).length;
      log(`faults: ${Math.round((Date.now() - started) / 1000)} s, ${workload.calls.length} function calls, ${late} late, bookings ${workload.succeeded.length} booked / ${workload.records.length} attempted`);
    }
    await workload.stop();
    const faultStats = await stack.sim.stats();
    await stack.sim.setFaults('*', {});
    log('faults off: settling (redeliveries, sweeper)');

    const calls = workload.calls;
    const late = calls.filter((c) => c.ms > limit);
    const unstructured = calls.filter((c) => !c.structured);
    const replyErrors: Record<string, number> = {};
    for (const c of calls) if (c.error) replyErrors[c.error] = (replyErrors[c.error] ?? 0) + 1;

    const settled = await settle(stack, workload.succeeded, options.settleTimeoutMs ?? 60_000);
    const { report, settleMs } = settled;
    log(describeSettled(settled));
    for (const line of report.details) log(`  violation: ${line}`);
    for (const c of [...late, ...unstructured].slice(0, 10)) log(`  bad reply: ${c.name} ${Math.round(c.ms)} ms status ${c.status} ${c.error ?? ''}`);
    const latencyMs = callLatencies(calls);
    const bookLatencyMs = callLatencies(calls, 'book_appointment');
    const checkLatencyMs = callLatencies(calls, 'check_availability');
    log(`all calls ${fmt(latencyMs)}`);
    log(`book_appointment ${fmt(bookLatencyMs)}; check_availability ${fmt(checkLatencyMs)}`);
    log(`reply errors ${JSON.stringify(replyErrors)}; injected ${JSON.stringify(faultStats.faults ?? {})}`);
    return {
      scenario: 'faults',
      durationMs: options.durationMs,
      callers,
      functionCalls: calls.length,
      lateReplies: late.length,
      unstructuredReplies: unstructured.length,
      latencyMs,
      bookLatencyMs,
      checkLatencyMs,
      replyErrors,
      calcomFaultsInjected: faultStats.faults ?? {},
      bookingsAttempted: workload.records.length,
      bookingsSucceeded: workload.succeeded.length,
      outcomes: outcomeCounts(workload.records),
      settleMs,
      liveCalcomBookings: report.liveCalcomBookings,
      violations: settleViolations(settled) + late.length + unstructured.length,
      invariants: report,
    };
  } catch (error) {
    log(`service output:\n${stack.serviceOutput().slice(-4000)}`);
    throw error;
  } finally {
    await close();
  }
}
