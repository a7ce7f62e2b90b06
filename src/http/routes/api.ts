import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { sha256Hex } from '../../catalog/index.ts';
import { StatsInputError } from '../../stats/index.ts';
import type { Role } from '../../store/index.ts';
import { validate } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

interface Tenant {
  companyId: string;
  role: Role;
}

const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** `/api/…`: company-scoped by a bearer token from the catalog (stored as its SHA-256). */
export function apiRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(async (ctx: Context, next: Next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const tenant = token ? deps.core.store.tenants.byTokenHash(sha256Hex(token)) : undefined;
    if (!tenant) throw new HttpError(401, 'invalid_token', 'a valid "Authorization: Bearer <token>" is required');
    ctx.state.tenant = tenant satisfies Tenant;
    await next();
  });

  router.get('/stats/calls', (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const { date } = validate(z.object({ date: dateParam }), ctx.query, 'invalid_query');
    try {
      ctx.body = deps.stats.forDay(tenant.companyId, date, tenant.role);
    } catch (error) {
      if (error instanceof StatsInputError) throw new HttpError(error.httpStatus, error.code, error.message);
      throw error;
    }
  });

  router.get('/appointments', (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const query = validate(z.object({ from: dateParam, to: dateParam.optional() }), ctx.query, 'invalid_query');
    const zone = deps.core.catalog.company(tenant.companyId)?.timeZone ?? 'Europe/Berlin';
    const from = DateTime.fromISO(query.from, { zone });
    const to = query.to ? DateTime.fromISO(query.to, { zone }).plus({ days: 1 }) : from.plus({ days: 1 });
    if (!from.isValid || !to.isValid || to <= from) throw new HttpError(400, 'invalid_query', 'from/to must be real dates with to ≥ from');
    ctx.body = {
      appointments: deps.core.store.appointments.forCompany(tenant.companyId, from.toMillis(), to.toMillis()).map((a) => ({
        id: a.id,
        service: a.serviceId,
        start: new Date(a.startUtc).toISOString(),
        end: new Date(a.endUtc).toISOString(),
        status: a.status,
        origin: a.origin,
        syncStatus: a.syncStatus,
        callId: a.callId,
        customer: { name: a.customerName, phone: a.customerPhone },
      })),
    };
  });
  return router;
}
