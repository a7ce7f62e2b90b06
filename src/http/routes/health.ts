import Router from '@koa/router';
import type { HttpDeps } from '../deps.ts';

/** Liveness, readiness (every dependency answers within a second) and Prometheus metrics. */
export function healthRoutes(deps: HttpDeps): Router {
  const router = new Router();
  // Liveness includes Redis: without it no command runs. A blip (a restart takes ~0.5 s) is not an
  // outage; Redis unreachable for longer than the grace is, and a supervisor should see it.
  let redisDownSince: number | undefined;
  router.get('/healthz', async (ctx) => {
    const up = deps.readiness.redis ? await withTimeout(deps.readiness.redis(), 1000) : true;
    redisDownSince = up ? undefined : (redisDownSince ?? deps.now());
    const down = redisDownSince !== undefined && deps.now() - redisDownSince >= deps.config.redisDownGraceMs;
    ctx.status = down ? 503 : 200;
    ctx.body = down ? { status: 'redis_unreachable', sinceMs: deps.now() - redisDownSince! } : { status: 'ok', ...(redisDownSince !== undefined && { redis: 'unreachable' }) };
  });
  router.get('/readyz', async (ctx) => {
    const names = Object.keys(deps.readiness);
    const results = await Promise.all(names.map((name) => withTimeout(deps.readiness[name]!(), 1000)));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'failing']));
    const ready = results.every(Boolean);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks };
  });
  router.get('/metrics', async (ctx) => {
    const registry = deps.core.metrics.registry;
    deps.core.metrics.orphanedBookings.set(await deps.core.store.orphans.openCount());
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
}
