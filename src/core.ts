import type { Logger } from 'pino';
import { createSlotActor, type SlotActor, type SlotClient } from './actors/slot-actor.ts';
import type { SlotActorDeps } from './actors/deps.ts';
import { AvailabilityCache } from './availability/cache.ts';
import { InvalidationBus } from './availability/invalidation-bus.ts';
import { BookingService } from './actors/booking-service.ts';
import { CalcomClient } from './calcom/index.ts';
import { CatalogError, CatalogIndex, syncCatalog, type Catalog } from './catalog/index.ts';
import { catalogEventTypeIds, catalogServiceRefs, checkCatalogEventTypes, EventTypeRegistry } from './calcom/index.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { addWaits } from './observability/waits.ts';
import { ActorRuntime } from './runtime/actor-runtime.ts';
import { connectRedis, type RedisEndpoint } from './runtime/redis-connection.ts';
import { SignatureLedger } from './retell/signature-ledger.ts';
import { bindPrefixToStore } from './runtime/store-binding.ts';
import { openStore, type Store, type StoreLocation } from './store/index.ts';

export interface CoreOptions {
  redis: RedisEndpoint;
  queuePrefix: string;
  partitions: number;
  effectConcurrency?: number;
  retentionSeconds: number;
  lockDurationMs: number;
  defaultDeadlineMs: number;
  /** The store: a SQLite file, or a PostgreSQL URL (shared by every process on this Redis and prefix). */
  database: StoreLocation;
  /** PostgreSQL connections this process keeps (default 10). */
  databasePoolSize?: number;
  catalog: Catalog;
  calcom: { baseUrl: string; apiKey: string; timeoutMs?: number; connections?: number; rateLimitPerMinute?: number };
  availabilityTtlMs: number;
  freshViewMs: number;
  /** Lookups of a create whose answer was lost (default: now and after 1 s). */
  reconcileDelaysMs?: number[];
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** Run mailbox workers in this process (default true). */
  consume?: boolean;
  /** Cal.com's event types (an EventTypeRegistry): creates answer their booking questions. */
  eventTypes?: SlotActorDeps['eventTypes'];
  /**
   * Read the catalog's event types from Cal.com at start and every this many ms (booking fields,
   * buffers, confirmation); the catalog is checked against them and a service Cal.com cannot book
   * stops the start. Unset: not read (tests that build a core by hand).
   */
  eventTypeRefreshMs?: number;
}

/** The booking core: store, Cal.com client, availability cache, slot actors and the service over them. */
export interface Core {
  store: Store;
  catalog: CatalogIndex;
  calcom: CalcomClient;
  availability: AvailabilityCache;
  invalidation: InvalidationBus;
  runtime: ActorRuntime;
  /** The slot actors' typed client: `slot.book(key, input, { id })`. */
  slot: SlotClient;
  booking: BookingService;
  /** Retell signatures already used (shared by every process on this Redis and prefix). */
  signatures: SignatureLedger;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Assembles the core in dependency order; `close` takes it down in reverse. */
export async function createCore(options: CoreOptions): Promise<Core> {
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const metrics = options.metrics ?? createMetrics();
  const store = await openStore(options.database, { now, ...(options.databasePoolSize !== undefined && { poolSize: options.databasePoolSize }) });
  await syncCatalog(store, options.catalog).catch(async (error) => {
    await store.close();
    throw error;
  });
  const catalog = new CatalogIndex(options.catalog);

  const calcom = new CalcomClient({
    baseUrl: options.calcom.baseUrl,
    apiKey: options.calcom.apiKey,
    timeouts: { default: options.calcom.timeoutMs ?? 5000 },
    connections: options.calcom.connections ?? 64,
    // Cal.com's throttler: 120 requests a minute per key unless its headers say otherwise.
    ...(options.calcom.rateLimitPerMinute !== undefined && { rateLimitPerMinute: options.calcom.rateLimitPerMinute }),
    deadlineMs: options.defaultDeadlineMs,
    logger: logger.child({ component: 'calcom' }),
    onRequest: ({ operation, status, durationSeconds }) => {
      metrics.calcomRequestDuration.observe({ operation, status }, durationSeconds);
      addWaits({ calcomMs: durationSeconds * 1000 });
    },
  });
  const registry =
    options.eventTypeRefreshMs === undefined
      ? undefined
      : await loadEventTypes(catalog, calcom, options.eventTypeRefreshMs, logger).catch(async (error) => {
          await calcom.close();
          await store.close();
          throw error;
        });
  const eventTypes = options.eventTypes ?? registry;
  const availability = new AvailabilityCache({
    source: calcom,
    ttlMs: options.availabilityTtlMs,
    now,
    observe: (result) => metrics.availabilityCacheRequests.inc({ result }),
    logger,
  });
  const [busPublisher, busSubscriber] = [connectRedis(options.redis), connectRedis(options.redis)];
  // Without a listener ioredis prints an "Unhandled error event" stack to stderr on every reconnect attempt.
  for (const connection of [busPublisher, busSubscriber]) connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  await bindPrefixToStore(busPublisher, options.queuePrefix, store.storeId, store.sql.describe).catch(async (error) => {
    busPublisher.disconnect();
    busSubscriber.disconnect();
    registry?.close();
    await calcom.close();
    await store.close();
    throw error;
  });
  const invalidation = await InvalidationBus.open(availability, busPublisher, busSubscriber, `${options.queuePrefix}:availability`);

  const runtime = await ActorRuntime.create({
    redis: options.redis,
    prefix: options.queuePrefix,
    partitions: options.partitions,
    effectConcurrency: options.effectConcurrency,
    retentionSeconds: options.retentionSeconds,
    lockDurationMs: options.lockDurationMs,
    defaultDeadlineMs: options.defaultDeadlineMs,
    logger,
    now,
    observer: {
      jobFinished: (outcome, wait) => {
        metrics.actorJobs.inc({ outcome });
        metrics.actorMailboxWait.observe(wait);
      },
    },
  });
  const slotActor: SlotActor = runtime.register(
    createSlotActor({
      store,
      calcom,
      catalog,
      availability,
      invalidateAvailability: (companyId, calendarKey, atUtc, zone) => invalidation.invalidate(companyId, calendarKey, atUtc, zone),
      retire: (oldKey, input, id) => slot.tell.rescheduleOut(oldKey, input, { id }),
      now,
      freshViewMs: options.freshViewMs,
      reconcileDelaysMs: options.reconcileDelaysMs ?? [0, 1000],
      ...(eventTypes && { eventTypes }),
      observeOutcome: (command, outcome) => metrics.bookingCommands.inc({ command, outcome }),
      observeCompensation: (result) => metrics.sagaCompensations.inc({ result }),
      logger,
    }),
  );
  const slot: SlotClient = runtime.client(slotActor);
  if (options.consume ?? true) await runtime.startConsuming();
  const booking = new BookingService({ slot, catalog, availability, store, now });
  metrics.orphanedBookings.set(await store.orphans.openCount());

  return {
    store,
    catalog,
    calcom,
    availability,
    invalidation,
    runtime,
    slot,
    booking,
    signatures: new SignatureLedger(busPublisher, options.queuePrefix),
    metrics,
    async close() {
      registry?.close();
      await runtime.close();
      await invalidation.close();
      await calcom.close();
      await store.close();
    },
  };
}

/**
 * The catalog's event types as Cal.com has them, checked against the catalog: a service whose event
 * type requires a field the runtime cannot fill, lasts another length, or does not exist stops the
 * start (CatalogError, exit 78). Event types Cal.com could not be asked for are only warned about:
 * an outage at start must not stop the service.
 */
async function loadEventTypes(catalog: CatalogIndex, calcom: CalcomClient, refreshIntervalMs: number, logger: Logger): Promise<EventTypeRegistry> {
  const refs = catalogServiceRefs(catalog);
  const { registry, initial } = await EventTypeRegistry.create({ source: calcom, eventTypeIds: catalogEventTypeIds(refs), refreshIntervalMs, logger });
  const unreachable = new Set(initial.failed.filter((f) => !/\b404\b|not found/i.test(f.error)).map((f) => f.id));
  for (const f of initial.failed) logger.warn({ eventTypeId: f.id, error: f.error }, 'event type could not be read from Cal.com');
  const { fatal, warnings } = checkCatalogEventTypes(refs, registry.all());
  fatal.push(...compositeBufferProblems(catalog, registry.all()));
  for (const w of warnings) logger.warn({ service: w.serviceId, eventTypeId: w.eventTypeId }, w.message);
  const blocking = fatal.filter((p) => !(p.kind === 'unknown_event_type' && unreachable.has(p.eventTypeId)));
  if (blocking.length) {
    registry.close();
    throw new CatalogError(`the catalog does not match Cal.com:\n${blocking.map((p) => `  ${p.companyId}/${p.message}`).join('\n')}`);
  }
  return registry;
}

/**
 * A composite service books its segments back to back (with the catalog's gaps). Cal.com keeps each
 * event type's buffers free around its bookings, so a later segment that starts inside an earlier
 * one's after-buffer (or its own before-buffer) would be refused every time: a catalog problem.
 */
function compositeBufferProblems(catalog: CatalogIndex, eventTypes: ReadonlyMap<number, { beforeBufferMinutes: number; afterBufferMinutes: number }>) {
  return catalog.catalog.companies.flatMap((company) =>
    catalog.servicesOf(company.id).flatMap((entry) =>
      entry.segments.slice(1).flatMap((segment, i) => {
        const previous = entry.segments[i]!;
        const gap = segment.offsetMinutes - (previous.offsetMinutes + previous.durationMinutes);
        const needed = (eventTypes.get(previous.eventTypeId)?.afterBufferMinutes ?? 0) + (eventTypes.get(segment.eventTypeId)?.beforeBufferMinutes ?? 0);
        if (gap >= needed) return [];
        const message = `service ${entry.service.id}: segment ${segment.index} starts ${gap} min after segment ${previous.index}, but Cal.com's buffers of event types ${previous.eventTypeId}/${segment.eventTypeId} need ${needed} min (add a gap of ${needed} min to the segments)`;
        return [{ companyId: company.id, serviceId: entry.service.id, eventTypeId: segment.eventTypeId, kind: 'buffer_conflict' as const, message }];
      }),
    ),
  );
}
