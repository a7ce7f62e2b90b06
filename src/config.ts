import { z } from 'zod';

/** Environment variables the service understands; every one has a sane default. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  /** The store on PostgreSQL (shared by several machines), e.g. postgres://vbr@db/vbr; unset: SQLite under DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'expected postgres://user:password@host:5432/database' }).optional(),
  /** PostgreSQL connections each process keeps open. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  REDIS_URL: z.url({ protocol: /^(rediss?|unix)$/, error: 'expected redis://host:port, rediss://… or unix:///path/to/redis.sock' }).optional(),
  REDIS_SERVER_BIN: z.string().min(1).default('redis-server'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -').default('vbr'),
  PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  /** Effects (the Cal.com calls of commands, outside the mailboxes) this process runs at once. */
  EFFECT_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  COMMAND_RETENTION_SECONDS: z.coerce.number().int().min(60).default(24 * 3600),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  FUNCTION_DEADLINE_MS: z.coerce.number().int().min(100).default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TZ_DEFAULT: z.string().default('Europe/Berlin'),
  CALCOM_API_KEY: z.string().min(1).optional(),
  CALCOM_BASE_URL: z.url().default('https://api.cal.com'),
  CALCOM_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Keep-alive connections to Cal.com; each in-flight request holds one for its whole latency. */
  CALCOM_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(64),
  /** Cal.com's throttler allows 120 requests a minute per API key; the client paces itself below it. */
  CALCOM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Event types (booking fields, buffers, confirmation) are read from Cal.com at start and this often. */
  EVENT_TYPE_REFRESH_MS: z.coerce.number().int().min(10_000).default(300_000),
  RETELL_API_KEY: z.string().min(1).optional(),
  CATALOG_FILE: z.string().min(1).optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(64 * 1024),
  /** Retell's call_ended/call_analyzed carry every transcript variant: ~2.5 MiB for a 30-minute call. */
  RETELL_WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(65_536).max(256 * 1024 * 1024).default(32 * 1024 * 1024),
  /** A function call's `call` may carry the live transcript so far. */
  RETELL_FUNCTION_BODY_LIMIT_BYTES: z.coerce.number().int().min(65_536).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Request bodies held in memory at once, across all requests (more wait, then 503). */
  BODY_MEMORY_BYTES: z.coerce.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(128 * 1024 * 1024),
  /** A client must send its request headers within this, and the whole request within the next (slow clients hold sockets). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Open connections at once; more are refused by the kernel's backlog, not queued in memory. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(2048),
  /** /healthz answers 503 once Redis has been unreachable this long (a supervisor may restart the process). */
  HEALTH_REDIS_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** How far ahead a caller may book. */
  BOOKING_HORIZON_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** A booking intent still pending after this long (its command died) is settled by the sweeper. */
  STALE_PENDING_MS: z.coerce.number().int().min(1000).default(120_000),
  /** Latency of the built-in Cal.com simulator: none, production (log-normal 400–2000 ms) or fixed ms. */
  SIMULATOR_LATENCY: z.string().regex(/^(none|production|\d+)$/, 'expected none, production or a number of ms').default('none'),
  AVAILABILITY_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  FRESH_VIEW_MS: z.coerce.number().int().min(0).default(5000),
});

export type Config = z.infer<typeof envSchema>;

/** Real Cal.com needs real secrets; the built-in simulator runs with development defaults. */
const productionSecrets = (config: Config): string[] =>
  config.CALCOM_API_KEY
    ? (['RETELL_API_KEY', 'CALCOM_WEBHOOK_SECRET'] as const).filter((name) => !config[name]).map((name) => `  ${name}: required when CALCOM_API_KEY is set (requests are signature-checked)`)
    : [];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a wrong value throws a ConfigError naming the variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`REDIS_URL=`) means "not set", as shells and systemd units write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) {
    const missing = productionSecrets(parsed.data);
    if (missing.length) throw new ConfigError(`invalid configuration:\n${missing.join('\n')}`);
    return parsed.data;
  }
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
