import Koa, { type Context, type Next } from 'koa';
import type { HttpDeps } from './deps.ts';
import { errorBoundary, HttpError } from './errors.ts';
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
  for (const router of [healthRoutes(deps), retellRoutes(deps), calcomRoutes(deps), apiRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true, notImplemented: () => new HttpError(501, 'not_implemented', 'method not implemented'), methodNotAllowed: () => new HttpError(405, 'method_not_allowed', 'method not allowed') }));
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
