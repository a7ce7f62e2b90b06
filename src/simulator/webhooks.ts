import { Agent, request } from 'undici';
import { NO_SECRET_SIGNATURE, signCalPayload } from '../calcom/signature.ts';
import type { SimBooking, SimCalendar } from './calendar.ts';
import { bookingTitle } from './views.ts';

export type WebhookTrigger =
  | 'BOOKING_CREATED'
  | 'BOOKING_CANCELLED'
  | 'BOOKING_RESCHEDULED'
  | 'BOOKING_REQUESTED'
  | 'BOOKING_REJECTED'
  | 'MEETING_STARTED'
  | 'MEETING_ENDED';

export interface WebhookTarget {
  url: string;
  /** HMAC key; without one Cal.com sends the signature `no-secret-provided`. */
  secret?: string;
  /** `x-cal-webhook-version` header value. */
  version?: string;
}

export interface WebhookDelivery {
  triggerEvent: WebhookTrigger;
  uid: string;
  url: string;
  status?: number;
  error?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

const WEBHOOK_STATUS: Record<SimBooking['status'], string> = { accepted: 'ACCEPTED', pending: 'PENDING', cancelled: 'CANCELLED', rejected: 'REJECTED' };

/**
 * The body Cal.com posts for booking events (packages/features/webhooks/lib/sendPayload.ts):
 * an envelope `{triggerEvent, createdAt, payload}`; status is UPPERCASE here, unlike the REST
 * API; booking metadata rides in payload.metadata — except on BOOKING_CANCELLED, whose payload
 * is built from the calendar event and carries no `metadata`
 * (packages/features/bookings/lib/handleCancelBooking.ts).
 */
export function bookingWebhookBody(
  calendar: SimCalendar,
  triggerEvent: WebhookTrigger,
  b: SimBooking,
  nowMs: number,
  previous?: SimBooking,
): Record<string, unknown> {
  const et = calendar.eventType(b.eventTypeId);
  const host = calendar.host(b.hostId);
  const a = b.attendee;
  return {
    triggerEvent,
    createdAt: iso(nowMs),
    payload: {
      type: et.slug,
      title: bookingTitle(calendar, b),
      description: '',
      additionalNotes: '',
      customInputs: {},
      startTime: iso(b.startMs),
      endTime: iso(b.endMs),
      organizer: { id: host.id, name: host.name, email: host.email, username: host.username, timeZone: host.timeZone, language: { locale: 'en' } },
      responses: {
        name: { label: 'your_name', value: a.name },
        ...(a.email && { email: { label: 'email_address', value: a.email } }),
        ...(a.phoneNumber && { attendeePhoneNumber: { label: 'phone_number', value: a.phoneNumber } }),
      },
      attendees: [
        { name: a.name, email: a.email ?? '', timeZone: a.timeZone, language: { locale: a.language }, ...(a.phoneNumber && { phoneNumber: a.phoneNumber }) },
      ],
      location: b.location ?? '',
      uid: b.uid,
      bookingId: b.id,
      eventTypeId: et.id,
      length: et.lengthInMinutes,
      status: WEBHOOK_STATUS[b.status],
      ...(triggerEvent !== 'BOOKING_CANCELLED' && { metadata: { ...b.metadata } }),
      ...(b.rejectionReason !== undefined && triggerEvent === 'BOOKING_REJECTED' && { rejectionReason: b.rejectionReason }),
      ...(b.cancellationReason !== undefined && triggerEvent === 'BOOKING_CANCELLED' && { cancellationReason: b.cancellationReason }),
      ...(previous && {
        rescheduleId: previous.id,
        rescheduleUid: previous.uid,
        rescheduleStartTime: iso(previous.startMs),
        rescheduleEndTime: iso(previous.endMs),
        ...(b.rescheduledBy && { rescheduledBy: b.rescheduledBy }),
      }),
    },
  };
}

/**
 * MEETING_STARTED / MEETING_ENDED: the booking itself at the top level, no `payload` object
 * (sendPayload.ts sends these flat).
 */
export function meetingWebhookBody(calendar: SimCalendar, triggerEvent: 'MEETING_STARTED' | 'MEETING_ENDED', b: SimBooking, nowMs: number): Record<string, unknown> {
  return {
    triggerEvent,
    createdAt: iso(nowMs),
    id: b.id,
    uid: b.uid,
    title: bookingTitle(calendar, b),
    startTime: iso(b.startMs),
    endTime: iso(b.endMs),
    eventTypeId: b.eventTypeId,
    status: WEBHOOK_STATUS[b.status],
    metadata: { ...b.metadata },
  };
}

/**
 * Posts signed webhooks one after another (so a receiver sees them in event order). `flush()`
 * waits for the queue; the API server awaits it before answering a request that emitted any,
 * as Cal.com awaits its deliveries (server.ts).
 */
export class WebhookSender {
  private target: WebhookTarget | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly log: WebhookDelivery[] = [];
  private readonly agent = new Agent({ connections: 4 });

  constructor(private readonly timeoutMs = 5000) {}

  configure(target: WebhookTarget | undefined): void {
    this.target = target;
  }

  get configured(): WebhookTarget | undefined {
    return this.target;
  }

  emit(body: Record<string, unknown>): void {
    const target = this.target;
    if (!target) return;
    const raw = JSON.stringify(body);
    const payload = (body.payload ?? body) as { uid: string };
    const delivery: WebhookDelivery = { triggerEvent: body.triggerEvent as WebhookTrigger, uid: payload.uid, url: target.url };
    this.log.push(delivery);
    this.chain = this.chain.then(async () => {
      try {
        const res = await request(target.url, {
          method: 'POST',
          dispatcher: this.agent,
          headers: {
            'content-type': 'application/json',
            'x-cal-signature-256': target.secret ? signCalPayload(raw, target.secret) : NO_SECRET_SIGNATURE,
            'x-cal-webhook-version': target.version ?? '2021-10-20',
          },
          body: raw,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        await res.body.dump();
        delivery.status = res.statusCode;
      } catch (err) {
        delivery.error = (err as Error).message;
      }
    });
  }

  flush(): Promise<void> {
    return this.chain;
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.agent.close();
  }
}
