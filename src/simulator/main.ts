/**
 * Standalone simulated Cal.com:  node --import tsx src/simulator/main.ts [seed.json]
 *
 * Env: PORT (5555), HOST (127.0.0.1), SIM_SEED_FILE (or the first argument; else the
 * demo salon), SIM_CATALOG_FILE (mirror the service's catalog instead of a seed), SIM_RANDOM_SEED, SIM_API_KEY, SIM_WEBHOOK_URL, SIM_WEBHOOK_SECRET,
 * SIM_LATENCY = none | production | <ms>, SIM_TIME_ZONE, SIM_RATE_LIMIT (requests/min).
 */
import { z } from 'zod';
import { memoizeZoneOffsets } from '../domain/zone-offsets.ts';
import { createLogger } from '../log.ts';
import type { LatencySpec } from './faults.ts';
import { loadCatalog } from '../catalog/index.ts';
import { simulatorOptionsFromCatalog } from './from-catalog.ts';
import { DEMO_SEED, loadSeedFile, seedOptions } from './seed.ts';
import { startCalcomSimulator } from './server.ts';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5555),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIM_SEED_FILE: z.string().min(1).optional(),
  SIM_CATALOG_FILE: z.string().min(1).optional(),
  SIM_RANDOM_SEED: z.string().min(1).optional(),
  SIM_API_KEY: z.string().min(1).optional(),
  SIM_WEBHOOK_URL: z.url().optional(),
  SIM_WEBHOOK_SECRET: z.string().min(1).optional(),
  SIM_LATENCY: z.string().regex(/^(none|production|\d+)$/, 'none, production or milliseconds').default('none'),
  SIM_TIME_ZONE: z.string().optional(),
  SIM_RATE_LIMIT: z.coerce.number().int().positive().optional(),
});

function latency(value: string): LatencySpec {
  if (value === 'none') return { kind: 'none' };
  if (value === 'production') return { kind: 'lognormal', lowMs: 400, highMs: 2000, coverage: 0.95 };
  return { kind: 'fixed', ms: Number(value) };
}

const log = createLogger();
// Its slot grids ask luxon for zone offsets thousands of times a request; on a shared 2-core
// machine that CPU would be taken from the service under test.
memoizeZoneOffsets();
const env = envSchema.parse(process.env);
const seedPath = process.argv[2] ?? env.SIM_SEED_FILE;
const seed = seedPath ? await loadSeedFile(seedPath) : DEMO_SEED;
const calendar = env.SIM_CATALOG_FILE ? simulatorOptionsFromCatalog(loadCatalog(env.SIM_CATALOG_FILE)) : seedOptions(seed);

const sim = await startCalcomSimulator({
  ...calendar,
  port: env.PORT,
  host: env.HOST,
  ...(env.SIM_TIME_ZONE && { timeZone: env.SIM_TIME_ZONE }),
  ...(env.SIM_RANDOM_SEED && { randomSeed: env.SIM_RANDOM_SEED }),
  ...(env.SIM_API_KEY && { apiKey: env.SIM_API_KEY }),
  ...(env.SIM_WEBHOOK_URL && { webhook: { url: env.SIM_WEBHOOK_URL, ...(env.SIM_WEBHOOK_SECRET && { secret: env.SIM_WEBHOOK_SECRET }) } }),
  ...(env.SIM_RATE_LIMIT !== undefined && { rateLimitPerMinute: env.SIM_RATE_LIMIT }),
  latency: latency(env.SIM_LATENCY),
});
log.info({ url: sim.url, eventTypes: (calendar.eventTypes ?? []).map((e) => `${e.id}:${e.slug}`), seed: env.SIM_CATALOG_FILE ?? seedPath ?? 'demo' }, 'cal.com simulator listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'cal.com simulator stopping');
    void sim.close().then(() => process.exit(0));
  });
}
