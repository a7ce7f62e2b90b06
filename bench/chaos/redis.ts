import { callLatencies, fmt, outcomeCounts, percentiles, startChaosStack, startsCoveringMailboxes, type Log, type Percentiles } from './common.ts';
import { describeSettled, lastSweepFinishedAt, settle, settleViolations, type InvariantReport } from './invariants.ts';
import { BookingWorkload, mulberry32, sleep } from './workload.ts';

export interface RedisRestartOptions {
  restarts: number;
  callers?: number;
  salons?: number;
  /** Load runs this long before each Redis stop. */
  upMs?: number;
  /** Redis stays down this long (a list is used in turn, one entry per restart). */
  downMs?: number | number[];
  /**
   * SIGKILL the redis-server instead of stopping it, and start nothing: the service's own
   * supervisor must bring it back (its append-only file holds what it had written).
   */
  kill?: boolean;
  /** How long the runtime may take to answer again after Redis is back. */
  recoveryTimeoutMs?: number;
  settleTimeoutMs?: number;
  log?: Log;
}

export interface RedisRestartResult {
  scenario: 'redis' | 'redis-kill';
  restarts: number;
  callers: number;
  /** Per restart: Redis back → /readyz 200 and → first booking asked after the restart answered success. */
  readyAfterMs: Percentiles;
  bookingAfterMs: Percentiles;
  /** Per restart: Redis back → a booking in every one of the 16 mailboxes answered. */
  allMailboxesAfterMs: Percentiles;
  /** Per restart: Redis back → the repeatable orphan sweep completed again. */
  sweepAfterMs: Percentiles;
  /** Mailbox probes (one booking per partition after each restart) that got no decided answer. */
  mailboxesNotAnswering: number;
  recovered: number;
  bookingsAttempted: number;
  bookingsSucceeded: number;
  outcomes: Record<string, number>;
  bookLatencyMs: Percentiles;
  /** Function calls answered with something other than a structured 200 while Redis was away. */
  unstructuredReplies: number;
  settleMs: number;
  liveCalcomBookings: number;
  violations: number;
  invariants: InvariantReport;
  durationMs: number;
}

/**
 * Stops the service's embedded redis-server while callers book, starts it again on the
 * same directory and socket, and checks that the runtime answers again (/healthz, /readyz,
 * bookings succeed) and that no booking whose success reached the agent is lost.
 */
export async function runRedisRestart(options: RedisRestartOptions): Promise<RedisRestartResult> {
  const log = options.log ?? (() => {});
  const callers = options.callers ?? 6;
  const started = Date.now();
  const { stack, companies, close } = await startChaosStack(options.salons ?? 3);
  try {
    const workload = new BookingWorkload(stack, companies, { callers, horizonDays: 28, retryWindowMs: 60_000 }, 11);
    workload.start();
    const ready: number[] = [];
    const booking: number[] = [];
    const allMailboxes: number[] = [];
    let silentMailboxes = 0;
    const sweeps: number[] = [];
    const random = mulberry32(5);
    let recovered = 0;
    for (let i = 1; i <= options.restarts; i++) {
      await sleep(options.upMs ?? 3000);
      const before = workload.succeeded.length;
      const pid = stack.redisPid();
      let back: number;
      if (options.kill) {
        process.kill(pid!, 'SIGKILL');
        const killedAt = Date.now();
        log(`restart ${i}/${options.restarts}: redis-server ${pid} killed (SIGKILL) after ${before} bookings; nobody restarts it but the service`);
        for (const until = killedAt + (options.recoveryTimeoutMs ?? 30_000); !(stack.redisPid() && stack.redisPid() !== pid); await sleep(20)) {
          if (Date.now() > until) throw new Error(`the service did not restart its redis-server within ${until - killedAt} ms:\n${stack.serviceOutput().slice(-4000)}`);
        }
        back = Date.now();
        log(`restart ${i}/${options.restarts}: the service started redis-server again ${back - killedAt} ms after the kill (pid ${stack.redisPid()})`);
      } else {
        await stack.stopRedis();
        log(`restart ${i}/${options.restarts}: redis-server ${pid} stopped (SIGTERM) after ${before} bookings`);
        const downs = [options.downMs ?? 2000].flat();
        const downMs = downs[(i - 1) % downs.length]!;
        await sleep(downMs);
        await stack.startRedis();
        back = Date.now();
        log(`restart ${i}/${options.restarts}: redis-server started again after ${downMs} ms down (pid ${stack.redisPid()})`);
      }
      const timeout = back + (options.recoveryTimeoutMs ?? 30_000);
      let readyAt: number | undefined;
      let bookedAt: number | undefined;
      let sweptAt: number | undefined;
      while (Date.now() < timeout && (readyAt === undefined || bookedAt === undefined || sweptAt === undefined)) {
        if (readyAt === undefined && (await probe(`${stack.url}/healthz`)) && (await probe(`${stack.url}/readyz`))) readyAt = Date.now();
        bookedAt ??= workload.succeeded.find((r) => r.firstAt >= back)?.decidedAt;
        if (sweptAt === undefined) {
          const finished = await lastSweepFinishedAt(stack);
          if (finished !== undefined && finished >= back) sweptAt = finished;
        }
        await sleep(100);
      }
      if (sweptAt !== undefined) sweeps.push(sweptAt - back);
      // Every mailbox must consume again, not just the one that served the first booking.
      const probes = await Promise.all(
        startsCoveringMailboxes(companies, random, 16, 30 + 20 * i).map(({ company, start }) => workload.bookAt(company, start)),
      );
      const silent = probes.filter((r) => r.decidedAt === undefined).length;
      silentMailboxes += silent;
      if (silent === 0) allMailboxes.push(Math.max(...probes.map((r) => r.decidedAt!)) - back);
      log(`restart ${i}/${options.restarts}: mailbox probes ${probes.length - silent}/${probes.length} answered (${JSON.stringify(outcomeCounts(probes))})`);
      if (readyAt !== undefined) ready.push(readyAt - back);
      if (bookedAt !== undefined) booking.push(bookedAt - back);
      if (readyAt !== undefined && bookedAt !== undefined && sweptAt !== undefined && silent === 0) recovered++;
      log(
        `restart ${i}/${options.restarts}: ` +
          (readyAt !== undefined ? `ready after ${readyAt - back} ms` : 'NOT ready') +
          ', ' +
          (bookedAt !== undefined ? `a new booking succeeded ${bookedAt - back} ms after Redis was back` : 'NO new booking succeeded') +
          (sweptAt !== undefined ? `, the orphan sweep ran again after ${sweptAt - back} ms` : ', the orphan sweep did NOT run again') +
          `; bookings ${workload.succeeded.length} booked / ${workload.records.length} attempted`,
      );
      if (readyAt === undefined || bookedAt === undefined || sweptAt === undefined) log(`service output:\n${stack.serviceOutput().slice(-4000)}`);
    }
    await sleep(options.upMs ?? 3000);
    await workload.stop();
    const settled = await settle(stack, workload.succeeded, options.settleTimeoutMs ?? 60_000);
    const { report, settleMs } = settled;
    log(describeSettled(settled));
    for (const line of report.details) log(`  violation: ${line}`);
    const outcomes = outcomeCounts(workload.records);
    const bookLatencyMs = callLatencies(workload.calls, 'book_appointment');
    const unstructuredCalls = workload.calls.filter((c) => !c.structured);
    for (const c of unstructuredCalls.slice(0, 10)) log(`  unstructured reply: ${c.name} ${Math.round(c.ms)} ms status ${c.status} ${c.error ?? ''}`);
    const unstructured = unstructuredCalls.length;
    log(`outcomes ${JSON.stringify(outcomes)}; book_appointment ${fmt(bookLatencyMs)}; ${unstructured} unstructured replies`);
    const notRecovered = options.restarts - recovered;
    return {
      scenario: options.kill ? 'redis-kill' : 'redis',
      restarts: options.restarts,
      callers,
      readyAfterMs: percentiles(ready),
      bookingAfterMs: percentiles(booking),
      allMailboxesAfterMs: percentiles(allMailboxes),
      sweepAfterMs: percentiles(sweeps),
      mailboxesNotAnswering: silentMailboxes,
      recovered,
      bookingsAttempted: workload.records.length,
      bookingsSucceeded: workload.succeeded.length,
      outcomes,
      bookLatencyMs,
      unstructuredReplies: unstructured,
      settleMs,
      liveCalcomBookings: report.liveCalcomBookings,
      violations: settleViolations(settled) + notRecovered + unstructured,
      invariants: report,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    log(`service output:\n${stack.serviceOutput().slice(-4000)}`);
    throw error;
  } finally {
    await close();
  }
}

async function probe(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
