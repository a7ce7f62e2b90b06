import { z } from 'zod';
import {
  eventTypeInputSchema,
  faultConfigSchema,
  latencySpecSchema,
  operationKeySchema,
  operationSchema,
  weeklyHoursSchema,
  webhookTargetSchema,
  hostInputSchema,
  type ExternalBookingInput,
  type SimulatorControl,
} from './control.ts';
import { SimHttpError } from './envelope.ts';
import { FAULT_KINDS, type FaultConfig, type LatencySpec } from './faults.ts';

/**
 * The control API over HTTP under /_sim/…, for a simulator in another process
 * (benchmarks, `npm start` demos). Same operations as the in-process SimulatorControl.
 *
 *   GET  /_sim/stats | /_sim/bookings | /_sim/event-types | /_sim/webhooks
 *   POST /_sim/event-types        EventTypeInput | EventTypeInput[]
 *   POST /_sim/hosts              HostInput
 *   PUT  /_sim/hours              { hours, eventTypeId? }
 *   PUT  /_sim/time-zone          { timeZone }
 *   PUT  /_sim/now                { at: ISO | epoch ms | null }
 *   POST /_sim/bookings           ExternalBookingInput        (fires BOOKING_CREATED)
 *   POST /_sim/bookings/:uid/cancel { reason? }               (fires BOOKING_CANCELLED)
 *   PUT  /_sim/latency            { operation = '*', spec }
 *   PUT  /_sim/faults             { operation = '*', config }
 *   POST /_sim/faults/queue       { operation, kinds }
 *   PUT  /_sim/webhook            { url, secret?, version? }   DELETE /_sim/webhook
 *   PUT  /_sim/rate-limit         { perMinute: number | null }
 *   POST /_sim/webhooks/flush
 *   POST /_sim/reset              { all? }
 */
export async function handleControl(
  control: SimulatorControl,
  method: string,
  pathname: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const ok = (data: unknown = { ok: true }, status = 200) => ({ status, body: data });
  const route = `${method} ${pathname}`;
  const cancel = /^POST \/_sim\/bookings\/([^/]+)\/cancel$/.exec(route);
  if (cancel) {
    const { reason } = z.object({ reason: z.string().optional() }).parse(body ?? {});
    return ok(control.cancelExternalBooking(decodeURIComponent(cancel[1] as string), reason));
  }
  switch (route) {
    case 'GET /_sim/stats':
      return ok(control.stats());
    case 'GET /_sim/bookings':
      return ok(control.bookings());
    case 'GET /_sim/event-types':
      return ok(control.eventTypes());
    case 'GET /_sim/webhooks':
      return ok(control.webhookDeliveries());
    case 'POST /_sim/event-types': {
      const list = z.union([eventTypeInputSchema, z.array(eventTypeInputSchema)]).parse(body);
      return ok((Array.isArray(list) ? list : [list]).map((et) => control.addEventType(et)), 201);
    }
    case 'POST /_sim/hosts':
      return ok(control.addHost(hostInputSchema.parse(body)), 201);
    case 'PUT /_sim/hours': {
      const { hours, eventTypeId } = z.object({ hours: weeklyHoursSchema, eventTypeId: z.number().int().optional() }).parse(body);
      control.setHours(hours, eventTypeId);
      return ok();
    }
    case 'PUT /_sim/time-zone':
      control.setTimeZone(z.object({ timeZone: z.string() }).parse(body).timeZone);
      return ok();
    case 'PUT /_sim/now':
      control.setNow(z.object({ at: z.union([z.string(), z.number(), z.null()]) }).parse(body).at);
      return ok({ now: control.now().toISOString() });
    case 'POST /_sim/bookings':
      return ok(control.createExternalBooking(body as ExternalBookingInput), 201);
    case 'PUT /_sim/latency': {
      const { operation, spec } = z.object({ operation: operationKeySchema.default('*'), spec: latencySpecSchema }).parse(body);
      control.setLatency(operation, spec as LatencySpec);
      return ok();
    }
    case 'PUT /_sim/faults': {
      const { operation, config } = z.object({ operation: operationKeySchema.default('*'), config: faultConfigSchema }).parse(body);
      control.setFaults(operation, config as FaultConfig);
      return ok();
    }
    case 'POST /_sim/faults/queue': {
      const { operation, kinds } = z.object({ operation: operationSchema, kinds: z.array(z.enum(FAULT_KINDS)) }).parse(body);
      control.queueFaults(operation, kinds);
      return ok();
    }
    case 'PUT /_sim/webhook':
      control.setWebhook(webhookTargetSchema.parse(body));
      return ok();
    case 'DELETE /_sim/webhook':
      control.setWebhook(null);
      return ok();
    case 'PUT /_sim/rate-limit':
      control.setRateLimit(z.object({ perMinute: z.number().int().positive().nullable() }).parse(body).perMinute);
      return ok();
    case 'POST /_sim/webhooks/flush':
      await control.flushWebhooks();
      return ok(control.webhookDeliveries());
    case 'POST /_sim/reset':
      control.reset(z.object({ all: z.boolean().optional() }).parse(body ?? {}));
      return ok();
    default:
      throw new SimHttpError(404, `Cannot ${method} ${pathname}`);
  }
}
