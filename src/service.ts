import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadCatalog } from './catalog/index.ts';
import type { Config } from './config.ts';
import { createCore, type Core } from './core.ts';
import { memoizeZoneOffsets } from './domain/zone-offsets.ts';
import { createApp } from './http/app.ts';
import { BodyBudget } from './http/body.ts';
import { OrphanSweeper } from './maintenance/orphan-sweeper.ts';
import { MaintenanceScheduler } from './maintenance/scheduler.ts';
import { EmbeddedRedis } from './runtime/embedded-redis.ts';
import { connectRedis, endpointFromUrl, type RedisEndpoint } from './runtime/redis-connection.ts';
import { simulatorOptionsFromCatalog } from './simulator/from-catalog.ts';
import { startCalcomSimulator, type CalcomSimulator, type LatencySpec } from './simulator/index.ts';
import { CallStats } from './stats/index.ts';
import { AppointmentSync } from './sync/index.ts';

/** Used only with the built-in simulator, so the demo can sign its requests. */
export const DEV_RETELL_API_KEY = 'dev-retell-key';

export interface Service {
  url: string;
  core: Core;
  redis: RedisEndpoint;
  /** The built-in Cal.com simulator, when no Cal.com key is configured. */
  simulator: CalcomSimulator | undefined;
  retellApiKey: string;
  stop(): Promise<void>;
}

/**
 * Builds the whole service from its configuration, in dependency order, and returns a
 * `stop` that tears it down in reverse. Nothing here runs as a side effect of an import.
 */
export async function startService(config: Config, logger: Logger, now: () => number = Date.now): Promise<Service> {
  memoizeZoneOffsets();
  const catalog = loadCatalog(config.CATALOG_FILE ?? join(config.DATA_DIR, 'catalog.json'));
  const embedded = config.REDIS_URL ? undefined : await EmbeddedRedis.start({ dir: join(config.DATA_DIR, 'redis'), bin: config.REDIS_SERVER_BIN, logger });
  const redis = config.REDIS_URL ? endpointFromUrl(config.REDIS_URL) : { path: embedded!.socketPath };

  const calcomWebhookSecret = config.CALCOM_WEBHOOK_SECRET ?? randomBytes(24).toString('hex');
  const retellApiKey = config.RETELL_API_KEY ?? DEV_RETELL_API_KEY;
  const simulator = config.CALCOM_API_KEY
    ? undefined
    : await startCalcomSimulator({ port: 0, apiKey: 'cal_simulator', ...simulatorOptionsFromCatalog(catalog) });
  simulator?.control.setLatency('*', simulatorLatency(config.SIMULATOR_LATENCY));

  const core = await createCore({
    redis,
    queuePrefix: config.QUEUE_PREFIX,
    partitions: config.PARTITIONS,
    effectConcurrency: config.EFFECT_CONCURRENCY,
    retentionSeconds: config.COMMAND_RETENTION_SECONDS,
    lockDurationMs: config.JOB_LOCK_MS,
    defaultDeadlineMs: config.FUNCTION_DEADLINE_MS,
    database: config.DATABASE_URL ?? join(config.DATA_DIR, 'booking.sqlite'),
    databasePoolSize: config.DATABASE_POOL_SIZE,
    catalog,
    calcom: {
      ...(simulator ? { baseUrl: simulator.url, apiKey: 'cal_simulator' } : { baseUrl: config.CALCOM_BASE_URL, apiKey: config.CALCOM_API_KEY! }),
      connections: config.CALCOM_MAX_CONNECTIONS,
      ...(config.CALCOM_API_KEY && { rateLimitPerMinute: config.CALCOM_RATE_LIMIT_PER_MINUTE }),
    },
    eventTypeRefreshMs: config.EVENT_TYPE_REFRESH_MS,
    availabilityTtlMs: config.AVAILABILITY_TTL_MS,
    freshViewMs: config.FRESH_VIEW_MS,
    logger,
    now,
  }).catch(async (error) => {
    // Nothing started here may outlive a refused start (a test process would never exit).
    await simulator?.close();
    await embedded?.stop();
    throw error;
  });

  const sweeper = new OrphanSweeper({
    store: core.store,
    calcom: core.calcom,
    catalog: core.catalog,
    slot: core.slot,
    stalePendingMs: config.STALE_PENDING_MS,
    logger: logger.child({ component: 'sweeper' }),
    observe: (result) => core.metrics.sagaCompensations.inc({ result }),
    onOpenCount: (count) => core.metrics.orphanedBookings.set(count),
  });
  const maintenance = await MaintenanceScheduler.start({
    redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    jobs: { 'orphan-sweep': { everyMs: config.SWEEP_INTERVAL_MS, run: () => sweeper.sweepOnce() } },
  });

  const sync = await AppointmentSync.start({ redis, prefix: config.QUEUE_PREFIX, booking: core.booking, store: core.store, catalog: core.catalog, logger });

  const ping = connectRedis(redis, { maxRetriesPerRequest: 1 });
  ping.on('error', () => {}); // readiness reports it
  const app = createApp({
    core,
    stats: new CallStats({ sql: core.store.sql, now }),
    sync,
    config: {
      retellApiKey,
      calcomWebhookSecret,
      functionDeadlineMs: config.FUNCTION_DEADLINE_MS,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      limits: { functionBytes: config.RETELL_FUNCTION_BODY_LIMIT_BYTES, webhookBytes: config.RETELL_WEBHOOK_BODY_LIMIT_BYTES },
      bookingHorizonDays: config.BOOKING_HORIZON_DAYS,
      redisDownGraceMs: config.HEALTH_REDIS_GRACE_MS,
    },
    bodyBudget: new BodyBudget(config.BODY_MEMORY_BYTES),
    readiness: {
      redis: async () => (await ping.ping()) === 'PONG',
      database: () => core.store.ping(),
      calcom: () => core.calcom.ping(),
    },
    now,
    logger,
  });
  const server = await listen(createHttpServer(config, app.callback()), config.PORT, config.HOST);
  const url = `http://${config.HOST}:${(server.address() as AddressInfo).port}`;
  simulator?.control.setWebhook({ url: `${url}/calcom/webhook`, secret: calcomWebhookSecret });

  return {
    url,
    core,
    redis,
    simulator,
    retellApiKey,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await maintenance.close();
      await sync.close();
      await core.close();
      ping.disconnect();
      await simulator?.close();
      await embedded?.stop();
    },
  };
}

function simulatorLatency(setting: string): LatencySpec {
  if (setting === 'none') return { kind: 'none' };
  if (setting === 'production') return { kind: 'lognormal' };
  return { kind: 'fixed', ms: Number(setting) };
}

/**
 * Node's defaults let a client trickle headers for 60 s and a request for 300 s, checked every
 * 30 s, with no cap on connections: here each is bounded and checked every second.
 */
function createHttpServer(config: Config, handler: RequestListener): Server {
  const server = createServer(
    { headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS, requestTimeout: Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS), connectionsCheckingInterval: 1000 },
    handler,
  );
  server.maxConnections = config.HTTP_MAX_CONNECTIONS;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  server.keepAliveTimeout = 65_000; // longer than typical load-balancer idle timeouts
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
