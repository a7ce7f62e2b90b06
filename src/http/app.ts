import Koa, { type Context, type Next } from 'koa';
import type { HttpDeps } from './deps.ts';
import { errorBoundary } from './errors.ts';
import { adminRoutes } from './routes/admin.ts';
import { apiRoutes } from './routes/api.ts';
import { calcomRoutes } from './routes/calcom.ts';
import { healthRoutes } from './routes/health.ts';
import { retellRoutes } from './routes/retell.ts';

/**
 * The front door: errors and logging at the edge, then the routes. Bodies are read per
 * route (raw, size-limited) because signatures are computed over the exact bytes.
 */
export function createApp(deps: HttpDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(closeWhenShuttingDown);
  app.use(errorBoundary(deps.logger));
  app.use(wrongMethodBody);
  for (const router of [healthRoutes(deps), retellRoutes(deps), calcomRoutes(deps), apiRoutes(deps), adminRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Answered, not thrown: the routers' allowedMethods run after this returns and turn a
  // known path asked with the wrong method into a 405 (a thrown 404 would skip them).
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { success: false, error: 'not_found', message: `no route ${ctx.method} ${ctx.path}` };
  });
  app.on('error', (error) => deps.logger.warn({ err: error }, 'koa error'));
  return app;
}

/**
 * The routers' allowedMethods answer a known path asked with another method: 405 with an
 * `Allow` header (501 for a method no route has). This gives those answers our error body.
 */
async function wrongMethodBody(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.status === 405) {
    ctx.body = { success: false, error: 'method_not_allowed', message: `${ctx.method} is not allowed on ${ctx.path}; use ${ctx.response.get('Allow')}` };
  } else if (ctx.status === 501) {
    ctx.body = { success: false, error: 'not_implemented', message: `method ${ctx.method} is not supported` };
  }
}

/**
 * A request still running when the server starts closing is answered with `Connection: close`:
 * `server.close()` only drops connections that are idle at that moment, so a keep-alive
 * connection that finishes its request afterwards would hold shutdown open for the whole
 * keep-alive timeout (65 s).
 */
async function closeWhenShuttingDown(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } finally {
    const server = (ctx.req.socket as { server?: { listening?: boolean } }).server;
    if (server?.listening === false && !ctx.headerSent) ctx.set('Connection', 'close');
  }
}
