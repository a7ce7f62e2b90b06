import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { slotKeyAt } from '../../actors/slot-key.ts';
import { verifyCalSignature } from '../../calcom/index.ts';
import type { ServiceEntry } from '../../catalog/index.ts';
import { parseJson, readRawBody, validate } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

const instant = z.iso.datetime({ offset: true });

/** Any signed Cal.com webhook: MEETING_STARTED/MEETING_ENDED carry no `payload` object at all. */
const envelopeSchema = z.object({ triggerEvent: z.string().min(1).max(100), payload: z.unknown().optional() });

/** A booking event we act on: complete, or refused at the door (never accepted and then dropped). */
const bookingPayloadSchema = z
  .looseObject({
    uid: z.string().min(1).max(200),
    eventTypeId: z.number().int().positive().nullish(),
    startTime: instant,
    endTime: instant,
    metadata: z.record(z.string(), z.unknown()).nullish(),
    attendees: z.array(z.looseObject({ name: z.string().nullish(), email: z.string().nullish(), phoneNumber: z.string().nullish() })).nullish(),
    rescheduleUid: z.string().nullish(),
    rescheduleStartTime: instant.nullish(),
    rescheduleEndTime: instant.nullish(),
  })
  .refine((p) => Date.parse(p.endTime) > Date.parse(p.startTime), { path: ['endTime'], message: 'must be after startTime' })
  .refine((p) => !p.rescheduleStartTime || !p.rescheduleEndTime || Date.parse(p.rescheduleEndTime) > Date.parse(p.rescheduleStartTime), {
    path: ['rescheduleEndTime'],
    message: 'must be after rescheduleStartTime',
  });
type BookingPayload = z.output<typeof bookingPayloadSchema>;

/** What each booking event means for the local appointment (packages/features/webhooks/lib: WebhookTriggerEvents). */
const EVENTS: Record<string, 'created' | 'requested' | 'cancelled'> = {
  BOOKING_CREATED: 'created', // also sent when the business confirms a requested booking
  BOOKING_REQUESTED: 'requested',
  BOOKING_RESCHEDULED: 'created',
  BOOKING_CANCELLED: 'cancelled',
  BOOKING_REJECTED: 'cancelled',
};

/**
 * Cal.com booking webhooks: the calendar-week's cached availability is dropped at once (in every
 * process), and the slot actor owning the day is told to reconcile — but only when the event's
 * uid, event type and company agree with what the store knows of that uid. A signed event that
 * names one salon's event type with another salon's booking is logged, counted and not applied.
 */
export function calcomRoutes(deps: HttpDeps): Router {
  const router = new Router();
  router.post('/calcom/webhook', async (ctx) => {
    const raw = await readRawBody(ctx, deps.config.bodyLimitBytes);
    if (!verifyCalSignature(raw, ctx.get('x-cal-signature-256') || undefined, deps.config.calcomWebhookSecret)) {
      throw new HttpError(401, 'invalid_signature', 'X-Cal-Signature-256 is missing or does not match');
    }
    const { triggerEvent, payload: rawPayload } = validate(envelopeSchema, parseJson(raw));
    const event = EVENTS[triggerEvent];
    if (!event) return ignore(ctx, triggerEvent);
    const payload = validate(bookingPayloadSchema, rawPayload, 'invalid_payload');
    const entry = payload.eventTypeId ? deps.core.catalog.serviceByEventType(payload.eventTypeId) : undefined;
    if (!entry) return ignore(ctx, triggerEvent); // another business's event type: not ours to apply

    const mismatch =
      (await disagreement(deps, entry, payload.uid, payload.eventTypeId!)) ?? (payload.rescheduleUid && (await disagreement(deps, entry, payload.rescheduleUid, payload.eventTypeId!)));
    if (mismatch) {
      deps.core.metrics.calcomWebhooksRefused.inc({ reason: mismatch });
      deps.logger.warn({ triggerEvent, uid: payload.uid, eventTypeId: payload.eventTypeId, reason: mismatch }, 'Cal.com webhook disagrees with the store: not applied');
      ctx.body = { success: true, ignored: triggerEvent, reason: mismatch };
      return;
    }
    await reconcile(deps, entry, payload, event, payload.uid, payload.startTime, payload.endTime);
    if (triggerEvent === 'BOOKING_RESCHEDULED' && payload.rescheduleUid && payload.rescheduleStartTime && payload.rescheduleEndTime) {
      await reconcile(deps, entry, payload, 'cancelled', payload.rescheduleUid, payload.rescheduleStartTime, payload.rescheduleEndTime);
    }
    ctx.status = 202;
    ctx.body = { success: true, accepted: triggerEvent };
  });
  return router;
}

function ignore(ctx: Context, triggerEvent: string): void {
  ctx.body = { success: true, ignored: triggerEvent };
}

/** Why the store's appointment for `uid` is not the one this event speaks of (undefined: they agree, or the uid is new). */
async function disagreement(deps: HttpDeps, entry: ServiceEntry, uid: string, eventTypeId: number): Promise<'company_mismatch' | 'event_type_mismatch' | undefined> {
  const known = await deps.core.store.appointments.byCalcomUid(uid);
  if (!known) return undefined;
  if (known.companyId !== entry.company.id) return 'company_mismatch';
  if (known.eventTypeId !== eventTypeId) return 'event_type_mismatch';
  return undefined;
}

async function reconcile(deps: HttpDeps, entry: ServiceEntry, payload: BookingPayload, event: 'created' | 'requested' | 'cancelled', uid: string, start: string, end: string): Promise<void> {
  const { company, calendarKey } = entry;
  const startUtc = Date.parse(start);
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const attendee = payload.attendees?.[0];
  deps.core.invalidation.invalidate(company.id, calendarKey, startUtc, company.timeZone);
  const reconcile = {
    event,
    uid,
    eventTypeId: payload.eventTypeId!, // the entry was found by it
    startUtc,
    endUtc: Date.parse(end),
    metadata,
    attendee: { name: attendee?.name ?? undefined, email: attendee?.email ?? undefined, phone: attendee?.phoneNumber ?? undefined },
  };
  await deps.core.slot.tell.reconcile(slotKeyAt(company.id, calendarKey, startUtc, company.timeZone), reconcile, { id: `calcom:${event}:${uid}` });
}
