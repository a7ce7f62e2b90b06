import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import pg from 'pg';
import { publicHoliday } from '../../src/domain/holidays.ts';
import { mailboxName } from '../../src/runtime/partition.ts';
import { connectRedis } from '../../src/runtime/redis-connection.ts';
import { Cluster } from '../stack/cluster.ts';
import { CHAOS_ENV, CHAOS_LATENCY, percentiles, type Log, type Percentiles } from './common.ts';
import { mulberry32, sleep } from './workload.ts';

const ZONE = 'Europe/Berlin';
const SERVICES = [
  { id: 'herrenhaarschnitt', name: 'Herrenhaarschnitt', minutes: 30 },
  { id: 'faerben', name: 'Färben', minutes: 60 },
] as const;
const NAMES = ['Max Müller', 'Anna Schmidt', 'Lukas Weber', 'Marie Fischer', 'Felix Wagner', 'Sophie Becker', 'Jonas Hoffmann', 'Lea Schäfer'];
/** Answers that mean "not decided yet": asked again with the same call id and args. */
const UNDECIDED = new Set(['still_processing', 'technical_error', 'calcom_error', 'calcom_busy', 'save_failed', 'booking_outcome_unknown', 'handler_error', 'closed', 'internal_error']);

export interface MachinesOptions {
  callers: number;
  rounds: number;
  /** SIGKILLs of a random machine (then restarted), spread over the booking and cancel phases. */
  kills: number;
  log?: Log;
  /** The shared store; without it a fresh database is made on the local PostgreSQL and dropped after. */
  databaseUrl?: string;
  salons?: number;
  /** Local start times everyone races for (each round on a new day). */
  starts?: string[];
  machines?: number;
  /** One call is asked again (same call id and args) this long while it has no decided answer. */
  retryWindowMs?: number;
  settleTimeoutMs?: number;
  seed?: number;
}

/** Every broken rule, by kind (each must be 0). */
export interface MachinesViolations {
  /** A cancel answered success for another appointment than the one the caller was told, or another phone's, or the caller's own stays live. */
  wrongCancels: number;
  /** A cancel of an appointment the caller owns answered with a refusal (not: its own earlier, unanswered attempt went through). */
  refusals: number;
  /** origin='calcom' rows, two local rows for one Cal.com uid, or two live Cal.com bookings for one command. */
  copies: number;
  /** Overlapping live Cal.com bookings of one calendar (polled throughout, and at each booking phase's end), or overlapping live local appointments. */
  doubleBookings: number;
  /** Live Cal.com bookings without a live local appointment at the end, plus open orphaned_bookings rows. */
  orphans: number;
  /** Live local appointments whose Cal.com booking is not live at the end. */
  ghosts: number;
  /** Appointments still `pending` at the end. */
  pendingIntents: number;
  /** A booking the caller was told that is not live (locally and in Cal.com, theirs, at the start told) after its booking phase. */
  lostBookings: number;
  /** Book or cancel calls with no decided answer within the retry window. */
  unanswered: number;
  /** The mailboxes were not empty, or no orphan sweep had run, when the wait for settling ended. */
  unsettled: number;
}

export interface MachinesResult {
  scenario: 'machines';
  machines: number;
  callers: number;
  rounds: number;
  kills: number;
  /** Kills that cut function calls on the wire (the rest landed between calls). */
  killsMidCall: number;
  /** Function calls on the wire at the kills, summed. */
  callsCutByKills: number;
  /** Pending intents in PostgreSQL right after the kills, summed. */
  pendingIntentsAtKills: number;
  bookingCalls: number;
  booked: number;
  /** Lost races: `slot_no_longer_available` answers. */
  slotTaken: number;
  bookOutcomes: Record<string, number>;
  cancels: number;
  /** Cancels through the other door than the booking's. */
  cancelsCrossDoor: number;
  cancelled: number;
  /** A repeat of a cancel whose earlier attempt got no answer, answered "already cancelled" (it went through): not a refusal. */
  cancelRepeatsAlreadyCancelled: number;
  cancelOutcomes: Record<string, number>;
  /** Requests sent again to the other door after a transport failure. */
  failovers: number;
  /** Per answered request. */
  bookLatencyMs: Percentiles;
  cancelLatencyMs: Percentiles;
  /** First request to decided answer, retries and failovers included. */
  bookDecidedMs: Percentiles;
  cancelDecidedMs: Percentiles;
  restartMs: Percentiles;
  settleMs: number;
  violationsByKind: MachinesViolations;
  violations: number;
  details: string[];
  durationMs: number;
}

interface Salon {
  id: string;
  phone: string;
}

/** A catalog of salons, each with a 30- and a 60-minute service on one calendar (so they collide). */
export function writeMachinesCatalog(dir: string, salons: number): { file: string; salons: Salon[] } {
  const list = Array.from({ length: salons }, (_, i) => ({ id: `salon-${i}`, phone: `+4930${String(2_000_000 + i).padStart(7, '0')}` }));
  const catalog = {
    companies: list.map((s, i) => ({
      id: s.id,
      name: `Salon ${i}`,
      timeZone: ZONE,
      businessHours: { open: '08:00', close: '20:00' },
      phoneNumbers: [s.phone],
      placeholderEmailDomain: 'kunden.example.de',
      services: SERVICES.map((svc, k) => ({ id: svc.id, name: svc.name, aliases: [], durationMinutes: svc.minutes, eventTypeId: 7000 + 2 * i + k, calendar: 'stylist' })),
    })),
  };
  const file = join(dir, 'machines-catalog.json');
  writeFileSync(file, JSON.stringify(catalog, null, 2));
  return { file, salons: list };
}

interface Attempt {
  door: number;
  ms: number;
  /** HTTP status; undefined: transport failure. */
  status?: number;
  error?: string;
}

interface Asked {
  reply?: Record<string, any>;
  attempts: Attempt[];
  /** First request to decided answer (or giving up). */
  ms: number;
  /** Some attempt before the last got no decided answer (transport failure, still processing, technical). */
  repeated: boolean;
}

interface Caller {
  index: number;
  phone: string;
  callId: string;
  name: string;
}

interface Told {
  caller: Caller;
  salon: Salon;
  appointmentId: number;
  start: string;
  door: number;
  /** Its Cal.com uid, read after the booking phase. */
  uid?: string;
}

interface CancelRecord {
  told: Told;
  door: number;
  asked: Asked;
}

interface Row {
  id: number;
  status: string;
  origin: string;
  calcom_uid: string | null;
  call_id: string | null;
  customer_phone: string | null;
  company_id: string;
  calendar_key: string;
  start_utc: number;
  end_utc: number;
}

type SimBooking = Awaited<ReturnType<Cluster['sim']['bookings']>>[number];
const isLive = (b: SimBooking) => b.status.toLowerCase() === 'accepted';

/**
 * Issue 16's proof with two machines: N service processes with separate DATA_DIRs on one Redis
 * and one PostgreSQL. Per round, every caller (own phone, own call id) books one of a handful of
 * contested starts (30 or 60 minutes, a few salons) through alternating doors, the losers their
 * first alternative; then everyone told an `appointment_id` cancels it by that id, mostly through
 * the other door. With `kills`, a random machine is SIGKILLed mid-phase and restarted while the
 * other serves; a call that fails on the wire is asked again at the other door (same call id and
 * args, as Retell retries). Checked from PostgreSQL and the simulator's bookings: see MachinesViolations.
 */
export async function runMachines(options: MachinesOptions): Promise<MachinesResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const random = mulberry32(options.seed ?? 16);
  const ownDatabase = options.databaseUrl ? undefined : await (await import('../../test/helpers/database.ts')).freshPostgres('machines');
  const databaseUrl = options.databaseUrl ?? ownDatabase!.url;
  const catalogDir = mkdtempSync(join(tmpdir(), 'vbr-machines-'));
  const { file, salons } = writeMachinesCatalog(catalogDir, options.salons ?? 2);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 3, types: { getTypeParser: bigintAsNumber } });
  let cluster: Cluster | undefined;
  try {
    const t0 = Date.now();
    const serviceLogFile = process.env.CHAOS_SERVICE_LOG;
    cluster = await Cluster.start({ catalogFile: file, databaseUrl, machines: options.machines ?? 2, env: CHAOS_ENV, ...(serviceLogFile && { serviceLogFile }) });
    await cluster.sim.setLatency('*', CHAOS_LATENCY);
    log(`${cluster.size} machines on one Redis and one PostgreSQL up in ${Date.now() - t0} ms; ${options.callers} callers, ${options.rounds} rounds, ${options.kills} kills`);
    return await drive(cluster, db, salons, options, random, log, started);
  } finally {
    await cluster?.stop();
    await db.end();
    await ownDatabase?.drop();
    rmSync(catalogDir, { recursive: true, force: true });
  }
}

async function drive(cluster: Cluster, db: pg.Pool, salons: Salon[], options: MachinesOptions, random: () => number, log: Log, started: number): Promise<MachinesResult> {
  const v: MachinesViolations = { wrongCancels: 0, refusals: 0, copies: 0, doubleBookings: 0, orphans: 0, ghosts: 0, pendingIntents: 0, lostBookings: 0, unanswered: 0, unsettled: 0 };
  const details: string[] = [];
  const violation = (kind: keyof MachinesViolations, line: string, n = 1) => {
    v[kind] += n;
    if (details.length < 40) details.push(`${kind}: ${line}`);
  };
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];
  const doors = cluster.size;
  const starts = options.starts ?? ['10:00', '10:30', '11:00', '11:30'];
  const days = workingDays(options.rounds);
  const retryWindowMs = options.retryWindowMs ?? 60_000;
  const stats = { failovers: 0, inFlight: 0 };
  const latencies = { book: [] as number[], cancel: [] as number[], bookDecided: [] as number[], cancelDecided: [] as number[], restart: [] as number[] };
  const bookOutcomes: Record<string, number> = {};
  const cancelOutcomes: Record<string, number> = {};
  const allCancels: CancelRecord[] = [];
  const allTold: Told[] = [];
  let bookingCalls = 0;

  /** One function call, asked until decided: on the wire failure at the other door, else again at the same door. */
  const ask = async (caller: Caller, salon: Salon, firstDoor: number, name: string, args: Record<string, unknown>): Promise<Asked> => {
    const attempts: Attempt[] = [];
    const t0 = Date.now();
    let door = firstDoor;
    for (;;) {
      const at = performance.now();
      stats.inFlight++;
      try {
        const { status, body } = await cluster.caller(door, salon.phone, caller.phone, caller.callId).fn(name, args);
        const ms = performance.now() - at;
        attempts.push({ door, ms, status, ...(typeof body.error === 'string' && { error: body.error }) });
        (name === 'book_appointment' ? latencies.book : latencies.cancel).push(ms);
        if (status === 200 && (body.success === true || !UNDECIDED.has(String(body.error)))) {
          return { reply: body, attempts, ms: Date.now() - t0, repeated: attempts.length > 1 };
        }
        if (status !== 200) door = (door + 1) % doors; // a machine shutting down or unwell: the other door
      } catch (error) {
        attempts.push({ door, ms: performance.now() - at, error: errorCode(error) });
        door = (door + 1) % doors;
        stats.failovers++;
      } finally {
        stats.inFlight--;
      }
      if (Date.now() - t0 > retryWindowMs) return { attempts, ms: Date.now() - t0, repeated: true };
      await sleep(attempts.at(-1)!.status === undefined ? 100 : 250);
    }
  };

  // ---- kills: each assigned to a phase (alternating booking/cancel), fired once a random share of that phase's calls is decided
  const plan = killPlan(options.kills, options.rounds);
  let restarting: Promise<void> = Promise.resolve();
  const kills = { done: 0, midCall: 0, cut: 0, pendingAtKills: 0 };
  const killDuring = async (phase: Phase, count: number): Promise<void> => {
    for (let k = 0; k < count; k++) {
      await restarting; // one machine down at a time: the other keeps serving
      const share = 0.1 + random() * 0.6;
      for (const until = Date.now() + 10_000; phase.decided < share * phase.total && !phase.over && Date.now() < until; ) await sleep(10);
      const victim = Math.floor(random() * doors);
      const cut = stats.inFlight;
      await cluster.kill(victim);
      const pending = (await query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM appointments WHERE status = 'pending'`))[0]!.n;
      kills.done++;
      kills.cut += cut;
      if (cut > 0) kills.midCall++;
      kills.pendingAtKills += pending;
      log(`  kill ${kills.done}/${options.kills}: machine ${victim} during ${phase.name} (${phase.decided}/${phase.total} decided), ${cut} calls on the wire, ${pending} pending intents`);
      const t0 = Date.now();
      restarting = cluster.restart(victim).then(() => {
        latencies.restart.push(Date.now() - t0);
      });
      restarting.catch(() => {}); // awaited before the next kill and at the end, which throw it
    }
  };

  // ---- double bookings at any point: poll the simulator throughout
  let polling = true;
  let maxOverlap = 0;
  const poller = (async () => {
    while (polling) {
      const s = await cluster.sim.stats().catch(() => undefined);
      if (s) maxOverlap = Math.max(maxOverlap, s.overlappingActiveBookings);
      await sleep(200);
    }
  })();

  try {
    for (let round = 0; round < options.rounds; round++) {
      const day = days[round]!;
      const callers: Caller[] = Array.from({ length: options.callers }, (_, i) => ({
        index: i,
        phone: `+49151${String(10_000_000 + i).slice(-8)}`,
        callId: `mach_r${round}_c${i}_${started.toString(36)}`,
        name: NAMES[i % NAMES.length]!,
      }));

      // ---- booking phase
      const bookPhase: Phase = { name: `booking round ${round + 1}`, total: callers.length, decided: 0, over: false };
      const bookKills = killDuring(bookPhase, plan[round]!.book);
      const told: Told[] = [];
      await Promise.all(
        callers.map(async (caller) => {
          await sleep(random() * 50);
          const salon = salons[Math.floor(random() * salons.length)]!;
          const service = SERVICES[Math.floor(random() * SERVICES.length)]!;
          const door = (caller.index + round) % doors;
          let at = DateTime.fromISO(`${day}T${starts[Math.floor(random() * starts.length)]}`, { zone: ZONE });
          for (let attempt = 0; attempt < 2; attempt++) {
            bookingCalls++;
            const asked = await ask(caller, salon, door, 'book_appointment', { dienstleistung: service.name, datum: at.toISODate(), uhrzeit: at.toFormat('HH:mm'), name: caller.name });
            latencies.bookDecided.push(asked.ms);
            const outcome = asked.reply ? (asked.reply.success ? 'booked' : String(asked.reply.error)) : 'unanswered';
            bookOutcomes[outcome] = (bookOutcomes[outcome] ?? 0) + 1;
            if (!asked.reply) {
              violation('unanswered', `book by ${caller.callId} at ${at.toISO()} got no decided answer in ${asked.attempts.length} attempts`);
              break;
            }
            if (asked.reply.success) {
              told.push({ caller, salon, appointmentId: Number(asked.reply.appointment_id), start: String(asked.reply.start), door });
              break;
            }
            const next = asked.reply.error === 'slot_no_longer_available' ? asked.reply.alternatives?.[0]?.start : undefined;
            if (!next) break;
            at = DateTime.fromISO(next, { zone: ZONE });
          }
          bookPhase.decided++;
        }),
      );
      bookPhase.over = true;
      await bookKills;
      allTold.push(...told);
      await checkBooked(told, day);
      log(`round ${round + 1} (${day}): ${told.length} of ${callers.length} callers booked; cancelling`);

      // ---- cancel phase: by the id each was told, 3 of 4 through the other door
      const cancelPhase: Phase = { name: `cancel round ${round + 1}`, total: told.length, decided: 0, over: false };
      const cancelKills = killDuring(cancelPhase, plan[round]!.cancel);
      await Promise.all(
        told.map(async (t, k) => {
          await sleep(random() * 50);
          const door = k % 4 === 3 ? t.door : (t.door + 1) % doors;
          const asked = await ask(t.caller, t.salon, door, 'cancel_appointment', { appointment_id: t.appointmentId });
          latencies.cancelDecided.push(asked.ms);
          const outcome = asked.reply ? (asked.reply.success ? 'cancelled' : String(asked.reply.error)) : 'unanswered';
          cancelOutcomes[outcome] = (cancelOutcomes[outcome] ?? 0) + 1;
          allCancels.push({ told: t, door, asked });
          cancelPhase.decided++;
        }),
      );
      cancelPhase.over = true;
      await cancelKills;
    }
    await restarting;
  } finally {
    polling = false;
    await poller;
  }
  if (maxOverlap > 0) violation('doubleBookings', `up to ${maxOverlap} pairs of live Cal.com bookings overlapped while the runs went on`, maxOverlap);

  // ---- settle: mailboxes empty, a sweep ran since, nothing pending, no orphan/ghost left (or the timeout)
  log('all rounds done; waiting for the machines to settle');
  const settleStarted = Date.now();
  let final: Final;
  for (;;) {
    const swept = ((await lastSweepAt(cluster)) ?? 0) >= settleStarted;
    const queued = await queuedCommands(cluster);
    final = await finalState();
    const clean = final.pending === 0 && final.orphans.length === 0 && final.openOrphans === 0 && final.ghosts.length === 0;
    if ((swept && queued === 0 && clean) || Date.now() - settleStarted > (options.settleTimeoutMs ?? 60_000)) {
      if (!swept) violation('unsettled', 'no orphan sweep completed while waiting to settle');
      if (queued !== 0) violation('unsettled', `${queued} commands still in the mailboxes`);
      break;
    }
    await sleep(250);
  }
  const settleMs = Date.now() - settleStarted;

  // ---- final checks
  const { rows, byId, liveSim, simByUid } = final;
  for (const row of rows.filter((r) => r.origin === 'calcom')) violation('copies', `appointment ${row.id} (${row.calcom_uid}) was imported from Cal.com (origin 'calcom'): a booking of ours not recognised`);
  const uidCount = new Map<string, number>();
  for (const row of rows) if (row.calcom_uid) uidCount.set(row.calcom_uid, (uidCount.get(row.calcom_uid) ?? 0) + 1);
  for (const [uid, n] of uidCount) if (n > 1) violation('copies', `${n} local rows for Cal.com booking ${uid}`);
  copiesInCalcom(liveSim, 'at the end');
  for (const b of final.orphans) violation('orphans', `live Cal.com booking ${b.uid} (${b.start}, command ${b.metadata.commandId ?? '-'}) has no live local appointment`);
  if (final.openOrphans > 0) violation('orphans', `${final.openOrphans} orphaned_bookings rows still open`, final.openOrphans);
  for (const r of final.ghosts) violation('ghosts', `appointment ${r.id} is booked, its Cal.com booking ${r.calcom_uid} is not live`);
  if (final.pending > 0) violation('pendingIntents', `${final.pending} appointments still pending`, final.pending);

  let repeatsAlreadyCancelled = 0;
  for (const c of allCancels) {
    const { told: t, asked } = c;
    const row = byId.get(t.appointmentId);
    const ownGone = row?.status === 'cancelled' && !!t.uid && simByUid.get(t.uid) !== undefined && !isLive(simByUid.get(t.uid)!);
    const who = `${t.caller.callId} (${t.caller.phone}) cancelling ${t.appointmentId} via door ${c.door}`;
    if (!asked.reply) {
      violation('unanswered', `cancel by ${who} got no decided answer in ${asked.attempts.length} attempts`);
      continue;
    }
    if (asked.reply.success) {
      if (Number(asked.reply.appointment_id) !== t.appointmentId) violation('wrongCancels', `${who} heard "storniert" for appointment ${asked.reply.appointment_id}`);
      else if (!row || row.call_id !== t.caller.callId || row.customer_phone !== t.caller.phone) violation('wrongCancels', `${who}: appointment ${t.appointmentId} belongs to ${row?.call_id} (${row?.customer_phone})`);
      else if (!ownGone) violation('wrongCancels', `${who} heard "storniert" but it is ${row.status} locally, Cal.com ${t.uid}: ${t.uid ? simByUid.get(t.uid)?.status : 'no uid'}`);
      continue;
    }
    // A repeat whose earlier attempt got through hears "already cancelled": true, and no refusal — if it did go through.
    if (asked.reply.error === 'already_cancelled' && asked.repeated && ownGone) {
      repeatsAlreadyCancelled++;
      continue;
    }
    violation('refusals', `${who} was refused: ${asked.reply.error} (${asked.attempts.length} attempts; locally ${row?.status}, Cal.com ${t.uid ? simByUid.get(t.uid)?.status : '-'})`);
  }

  const kinds = Object.values(v).reduce((a, b) => a + b, 0);
  for (const line of details) log(`  violation ${line}`);
  const result: MachinesResult = {
    scenario: 'machines',
    machines: doors,
    callers: options.callers,
    rounds: options.rounds,
    kills: kills.done,
    killsMidCall: kills.midCall,
    callsCutByKills: kills.cut,
    pendingIntentsAtKills: kills.pendingAtKills,
    bookingCalls,
    booked: allTold.length,
    slotTaken: bookOutcomes.slot_no_longer_available ?? 0,
    bookOutcomes,
    cancels: allCancels.length,
    cancelsCrossDoor: allCancels.filter((c) => c.door !== c.told.door).length,
    cancelled: cancelOutcomes.cancelled ?? 0,
    cancelRepeatsAlreadyCancelled: repeatsAlreadyCancelled,
    cancelOutcomes,
    failovers: stats.failovers,
    bookLatencyMs: percentiles(latencies.book),
    cancelLatencyMs: percentiles(latencies.cancel),
    bookDecidedMs: percentiles(latencies.bookDecided),
    cancelDecidedMs: percentiles(latencies.cancelDecided),
    restartMs: percentiles(latencies.restart),
    settleMs,
    violationsByKind: v,
    violations: kinds,
    details,
    durationMs: Date.now() - started,
  };
  log(
    `settled in ${settleMs} ms; ${result.booked} booked (${result.slotTaken} races lost) in ${bookingCalls} booking calls, ${result.cancelled}/${result.cancels} cancelled ` +
      `(${result.cancelsCrossDoor} through the other door, ${repeatsAlreadyCancelled} repeats heard "already cancelled"), ${stats.failovers} failovers; ` +
      `${kills.done} kills (${kills.midCall} cut ${kills.cut} calls); violations ${JSON.stringify(v)}`,
  );
  return result;

  /** After a booking phase: every success told is live, the caller's, at its start; nothing overlaps; no command booked twice. */
  async function checkBooked(told: Told[], day: string): Promise<void> {
    const [rows, sim, simStats] = await Promise.all([query<Row>(`SELECT ${COLUMNS} FROM appointments`), cluster.sim.bookings(), cluster.sim.stats()]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const simByUid = new Map(sim.map((b) => [b.uid, b]));
    for (const t of told) {
      const row = byId.get(t.appointmentId);
      const booking = row?.calcom_uid ? simByUid.get(row.calcom_uid) : undefined;
      t.uid = row?.calcom_uid ?? undefined;
      const ok =
        row?.status === 'booked' &&
        row.call_id === t.caller.callId &&
        row.customer_phone === t.caller.phone &&
        row.start_utc === Date.parse(t.start) &&
        booking &&
        isLive(booking) &&
        Date.parse(booking.start) === row.start_utc &&
        (booking.metadata.commandId ?? '').includes(`:${t.caller.callId}:`);
      if (!ok) violation('lostBookings', `${t.caller.callId} was told appointment ${t.appointmentId} at ${t.start}: locally ${row?.status} (call ${row?.call_id}), Cal.com ${booking?.status ?? 'none'}`);
    }
    if (simStats.overlappingActiveBookings > 0) violation('doubleBookings', `${simStats.overlappingActiveBookings} pairs of live Cal.com bookings overlap after booking ${day}`, simStats.overlappingActiveBookings);
    const byCalendar = new Map<string, Row[]>();
    for (const r of rows.filter((r) => r.status === 'booked')) byCalendar.set(`${r.company_id}/${r.calendar_key}`, [...(byCalendar.get(`${r.company_id}/${r.calendar_key}`) ?? []), r]);
    for (const [calendar, list] of byCalendar) {
      list.sort((a, b) => a.start_utc - b.start_utc);
      for (let i = 1; i < list.length; i++) if (list[i]!.start_utc < list[i - 1]!.end_utc) violation('doubleBookings', `local appointments ${list[i - 1]!.id} and ${list[i]!.id} overlap on ${calendar}`);
    }
    copiesInCalcom(sim.filter(isLive), `after booking ${day}`);
  }

  function copiesInCalcom(live: SimBooking[], when: string): void {
    const byCommand = new Map<string, number>();
    for (const b of live) if (b.metadata.commandId) byCommand.set(b.metadata.commandId, (byCommand.get(b.metadata.commandId) ?? 0) + 1);
    for (const [command, n] of byCommand) if (n > 1) violation('copies', `${n} live Cal.com bookings for command ${command} ${when}`);
  }

  async function finalState(): Promise<Final> {
    const [rows, sim, open] = await Promise.all([
      query<Row>(`SELECT ${COLUMNS} FROM appointments`),
      cluster.sim.bookings(),
      query<{ n: number }>('SELECT COUNT(*)::int AS n FROM orphaned_bookings WHERE resolved_at IS NULL'),
    ]);
    const liveSim = sim.filter(isLive);
    const liveLocal = new Set(rows.filter((r) => r.status === 'booked' && r.calcom_uid).map((r) => r.calcom_uid!));
    const liveUids = new Set(liveSim.map((b) => b.uid));
    return {
      rows,
      byId: new Map(rows.map((r) => [r.id, r])),
      liveSim,
      simByUid: new Map(sim.map((b) => [b.uid, b])),
      orphans: liveSim.filter((b) => !liveLocal.has(b.uid)),
      ghosts: rows.filter((r) => r.status === 'booked' && (!r.calcom_uid || !liveUids.has(r.calcom_uid))),
      pending: rows.filter((r) => r.status === 'pending').length,
      openOrphans: open[0]!.n,
    };
  }
}

interface Final {
  rows: Row[];
  byId: Map<number, Row>;
  liveSim: SimBooking[];
  simByUid: Map<string, SimBooking>;
  orphans: SimBooking[];
  ghosts: Row[];
  pending: number;
  openOrphans: number;
}

interface Phase {
  name: string;
  total: number;
  decided: number;
  over: boolean;
}

const COLUMNS = 'id, status, origin, calcom_uid, call_id, customer_phone, company_id, calendar_key, start_utc, end_utc';

/** Kills per round and phase: spread evenly over the 2×rounds phases, first booking to last cancel. */
function killPlan(kills: number, rounds: number): Array<{ book: number; cancel: number }> {
  const plan = Array.from({ length: rounds }, () => ({ book: 0, cancel: 0 }));
  for (let k = 0; k < kills; k++) {
    const phase = kills === 1 ? 0 : Math.round((k * (2 * rounds - 1)) / (kills - 1)) % (2 * rounds);
    plan[Math.floor(phase / 2)]![phase % 2 === 0 ? 'book' : 'cancel']++;
  }
  return plan;
}

/** The next `count` working days from the day after tomorrow (no Sunday, no public holiday in Germany). */
function workingDays(count: number): string[] {
  const days: string[] = [];
  for (let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 2 }); days.length < count; d = d.plus({ days: 1 })) {
    const iso = d.toISODate()!;
    if (d.weekday !== 7 && !publicHoliday(iso)) days.push(iso);
  }
  return days;
}

async function queuedCommands(cluster: Cluster, partitions = 16): Promise<number> {
  const redis = connectRedis({ path: cluster.redisSocket }, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pipeline = redis.pipeline();
    for (let p = 0; p < partitions; p++) {
      const base = `${cluster.queuePrefix}:${mailboxName(p)}`;
      pipeline.llen(`${base}:wait`).llen(`${base}:active`).zcard(`${base}:delayed`).zcard(`${base}:prioritized`);
    }
    return ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
  } catch {
    return -1;
  } finally {
    redis.disconnect();
  }
}

/** When the last orphan sweep (maintenance job) finished, epoch ms. */
async function lastSweepAt(cluster: Cluster): Promise<number | undefined> {
  const redis = connectRedis({ path: cluster.redisSocket }, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const [, score] = await redis.zrevrange(`${cluster.queuePrefix}:maintenance:completed`, 0, 0, 'WITHSCORES');
    return score === undefined ? undefined : Number(score);
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Epoch-ms columns are BIGINT: numbers here, as in the service. */
const bigintAsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

function errorCode(error: unknown): string {
  for (let e: any = error, depth = 0; e && depth < 5; depth++, e = e.cause) if (typeof e.code === 'string') return e.code;
  return (error as Error)?.message ?? String(error);
}
