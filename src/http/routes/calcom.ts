import Router from '@koa/router';
import { z } from 'zod';
import { slotKeyAt } from '../../actors/slot-key.ts';
import { verifyCalSignature } from '../../calcom/index.ts';
import { parseJson, readRawBody, validate } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

const bookingEventSchema = z.looseObject({
  triggerEvent: z.string().min(1),
  payload: z.looseObject({
    uid: z.string().min(1).optional(),
    eventTypeId: z.number().int().nullish(),
    startTime: z.iso.datetime({ offset: true }).optional(),
    endTime: z.iso.datetime({ offset: true }).optional(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    attendees: z.array(z.looseObject({ name: z.string().nullish(), email: z.string().nullish(), phoneNumber: z.string().nullish() })).nullish(),
    rescheduleUid: z.string().nullish(),
    rescheduleStartTime: z.iso.datetime({ offset: true }).nullish(),
    rescheduleEndTime: z.iso.datetime({ offset: true }).nullish(),
  }),
});

const HANDLED = new Set(['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED', 'BOOKING_REJECTED']);

/**
 * Cal.com booking webhooks: the calendar-week's cached availability is dropped at once
 * (in every process), and the slot actor owning the day is told to reconcile.
 */
export function calcomRoutes(deps: HttpDeps): Router {
  const router = new Router();
  router.post('/calcom/webhook', async (ctx) => {
    const raw = await readRawBody(ctx, deps.config.bodyLimitBytes);
    if (!verifyCalSignature(raw, ctx.get('x-cal-signature-256') || undefined, deps.config.calcomWebhookSecret)) {
      throw new HttpError(401, 'invalid_signature', 'X-Cal-Signature-256 is missing or does not match');
    }
    const { triggerEvent, payload } = validate(bookingEventSchema, parseJson(raw));
    const entry = payload.eventTypeId ? deps.core.catalog.serviceByEventType(payload.eventTypeId) : undefined;
    if (!HANDLED.has(triggerEvent) || !entry || !payload.uid || !payload.startTime || !payload.endTime) {
      ctx.body = { success: true, ignored: triggerEvent };
      return;
    }
    const { company, calendarKey } = entry;
    const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const attendee = payload.attendees?.[0];
    const reconcile = async (event: 'created' | 'cancelled', uid: string, start: string, end: string) => {
      const startUtc = Date.parse(start);
      deps.core.invalidation.invalidate(company.id, calendarKey, startUtc, company.timeZone);
      await deps.core.runtime.tell(slotKeyAt(company.id, calendarKey, startUtc, company.timeZone), {
        id: `calcom:${event}:${uid}`,
        type: 'reconcile',
        payload: {
          event,
          uid,
          eventTypeId: payload.eventTypeId,
          startUtc,
          endUtc: Date.parse(end),
          metadata,
          attendee: { name: attendee?.name ?? undefined, email: attendee?.email ?? undefined, phone: attendee?.phoneNumber ?? undefined },
        },
      });
    };
    const cancelled = triggerEvent === 'BOOKING_CANCELLED' || triggerEvent === 'BOOKING_REJECTED';
    await reconcile(cancelled ? 'cancelled' : 'created', payload.uid, payload.startTime, payload.endTime);
    if (triggerEvent === 'BOOKING_RESCHEDULED' && payload.rescheduleUid && payload.rescheduleStartTime && payload.rescheduleEndTime) {
      await reconcile('cancelled', payload.rescheduleUid, payload.rescheduleStartTime, payload.rescheduleEndTime);
    }
    ctx.status = 202;
    ctx.body = { success: true, accepted: triggerEvent };
  });
  return router;
}
