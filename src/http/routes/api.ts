import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { sha256Hex } from '../../catalog/index.ts';
import { StatsInputError } from '../../stats/index.ts';
import type { Role } from '../../store/index.ts';
import { bookingRequestSchema } from '../../actors/book.ts';
import { SyncRejectedError } from '../../sync/index.ts';
import { parseJson, readRawBody, validate } from '../body.ts';
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
    const tenant = token ? await deps.core.store.tenants.byTokenHash(sha256Hex(token)) : undefined;
    if (!tenant) throw new HttpError(401, 'invalid_token', 'a valid "Authorization: Bearer <token>" is required');
    ctx.state.tenant = tenant satisfies Tenant;
    await next();
  });

  router.get('/stats/calls', async (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const { date } = validate(z.object({ date: dateParam }), ctx.query, 'invalid_query');
    try {
      ctx.body = await deps.stats.forDay(tenant.companyId, date, tenant.role);
    } catch (error) {
      if (error instanceof StatsInputError) throw new HttpError(error.httpStatus, error.code, error.message);
      throw error;
    }
  });

  router.get('/appointments', async (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const query = validate(z.object({ from: dateParam, to: dateParam.optional() }), ctx.query, 'invalid_query');
    const zone = deps.core.catalog.company(tenant.companyId)?.timeZone ?? 'Europe/Berlin';
    const from = DateTime.fromISO(query.from, { zone });
    const to = query.to ? DateTime.fromISO(query.to, { zone }).plus({ days: 1 }) : from.plus({ days: 1 });
    if (!from.isValid || !to.isValid || to <= from) throw new HttpError(400, 'invalid_query', 'from/to must be real dates with to ≥ from');
    ctx.body = {
      appointments: (await deps.core.store.appointments.forCompany(tenant.companyId, from.toMillis(), to.toMillis())).map((a) => ({
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
  /** An appointment made outside the voice flow: queued, booked into Cal.com with retries (202). */
  router.post('/appointments', async (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const body = validate(newAppointmentSchema, parseJson(await readRawBody(ctx, deps.config.bodyLimitBytes)));
    // Refused here, not accepted (202) and failed later by the sync job.
    const start = Date.parse(body.start);
    if (start <= deps.now()) throw new HttpError(400, 'start_in_past', 'start must be in the future', [{ path: 'start', message: 'must be in the future' }]);
    if (start > deps.now() + deps.config.bookingHorizonDays * 86_400_000) {
      throw new HttpError(400, 'beyond_horizon', `start must be within ${deps.config.bookingHorizonDays} days`, [{ path: 'start', message: 'beyond the booking horizon' }]);
    }
    if (!deps.core.catalog.service(tenant.companyId, body.serviceId)) {
      throw new HttpError(400, 'unknown_service', `no service "${body.serviceId}" at this company`, [{ path: 'serviceId', message: 'unknown service' }]);
    }
    try {
      // Request ids are the company's own: prefixed, they can neither collide with nor reveal another's.
      const requestId = `${tenant.companyId}:${body.requestId}`;
      const { syncId } = await deps.sync.submit({ ...body, requestId, companyId: tenant.companyId, origin: tenant.role === 'admin' ? 'admin' : 'api' });
      ctx.status = 202;
      ctx.body = { success: true, syncId, status: `/api/appointments/sync/${encodeURIComponent(body.requestId)}` };
    } catch (error) {
      if (error instanceof SyncRejectedError) throw new HttpError(400, error.code, error.message);
      throw error;
    }
  });

  router.get('/appointments/sync/:requestId', async (ctx) => {
    const tenant = ctx.state.tenant as Tenant;
    const status = await deps.sync.status(`${tenant.companyId}:${ctx.params.requestId!}`);
    if (!status) throw new HttpError(404, 'not_found', 'no such sync request');
    ctx.body = status;
  });
  return router;
}

const newAppointmentSchema = bookingRequestSchema.omit({ companyId: true }).extend({ requestId: z.string().min(1).max(200) });
