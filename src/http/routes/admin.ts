import Router from '@koa/router';
import type { Context } from 'koa';
import { AdminOverviewReader } from '../../admin/overview.ts';
import { sha256Hex } from '../../catalog/index.ts';
import type { Role } from '../../store/index.ts';
import { readRawBody } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { dashboardPage, loginPage } from '../admin/view.ts';

const COOKIE = 'vbr_admin';
const SESSION_SECONDS = 12 * 3600;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `/admin`: the call statistics page, company-scoped by the same API tokens as /api. The
 * token is posted once through a form and then lives only in an HttpOnly, SameSite=Strict
 * cookie (never in a URL); a POST from another origin is refused. Pages are HTML, never
 * cached, and allow no script at all (CSP).
 */
export function adminRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/admin' });
  const reader = new AdminOverviewReader({ sql: deps.core.store.sql, stats: deps.stats, catalog: deps.core.catalog, now: deps.now });

  router.get('/', async (ctx) => {
    const tenant = await tenantOf(ctx, deps);
    if (!tenant) return html(ctx, 200, loginPage());
    const asked = typeof ctx.query.date === 'string' ? ctx.query.date : undefined;
    const today = reader.today(tenant.companyId);
    // A bad date shows today rather than an error page: the switcher is a convenience, not an API.
    const date = asked && DATE.test(asked) && isRealDate(asked) ? asked : today;
    const started = performance.now();
    const body = dashboardPage(await reader.read(tenant.companyId, tenant.role, date));
    ctx.set('Server-Timing', `admin;dur=${(performance.now() - started).toFixed(2)}`);
    html(ctx, 200, body);
  });

  router.post('/login', async (ctx) => {
    if (!sameOrigin(ctx)) return html(ctx, 403, loginPage('Anmeldung von einer fremden Seite abgelehnt.'));
    const form = new URLSearchParams(await readRawBody(ctx, 4096));
    const token = form.get('token')?.trim() ?? '';
    const tenant = token && token.length <= 200 ? await deps.core.store.tenants.byTokenHash(sha256Hex(token)) : undefined;
    if (!tenant) {
      deps.logger.info({ path: ctx.path }, 'admin sign-in refused');
      return html(ctx, 401, loginPage('Dieses Token ist ungültig.'));
    }
    ctx.set('Set-Cookie', cookie(ctx, encodeURIComponent(token), SESSION_SECONDS));
    ctx.status = 303;
    ctx.redirect('/admin');
  });

  router.post('/logout', (ctx) => {
    if (!sameOrigin(ctx)) return html(ctx, 403, loginPage('Abmeldung von einer fremden Seite abgelehnt.'));
    ctx.set('Set-Cookie', cookie(ctx, '', 0));
    ctx.status = 303;
    ctx.redirect('/admin');
  });

  return router;
}

async function tenantOf(ctx: Context, deps: HttpDeps): Promise<{ companyId: string; role: Role } | undefined> {
  const raw = /(?:^|;\s*)vbr_admin=([^;]*)/.exec(ctx.get('cookie'))?.[1];
  if (!raw) return undefined;
  let token: string;
  try {
    token = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return token && token.length <= 200 ? deps.core.store.tenants.byTokenHash(sha256Hex(token)) : undefined;
}

/** CSRF: the cookie is SameSite=Strict, and a POST a browser sends from another origin says so. */
function sameOrigin(ctx: Context): boolean {
  const origin = ctx.get('origin');
  // Koa 3's ctx.origin is the Origin header itself: compare with our own scheme and host.
  if (origin && origin !== `${ctx.protocol}://${ctx.host}`) return false;
  return ctx.get('sec-fetch-site') !== 'cross-site';
}

function cookie(ctx: Context, value: string, maxAge: number): string {
  return `${COOKIE}=${value}; Path=/admin; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${ctx.secure ? '; Secure' : ''}`;
}

function html(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  ctx.set('X-Content-Type-Options', 'nosniff');
  // Not no-referrer: with it Chromium sends `Origin: null` on our own form posts, which the CSRF check refuses.
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.body = body;
}

function isRealDate(date: string): boolean {
  const at = new Date(`${date}T12:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === date;
}
