import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CalcomClient, EventTypeRegistry, type CalcomEventType } from '../../src/calcom/index.ts';
import { COMPANY, customer, iso, startCoreHarness, upcomingWorkday, type CoreHarness } from '../helpers/core.ts';

/*
 * The slot actor's create answers the event type's booking questions from the registry
 * (src/actors/book.ts create() + src/calcom/event-types.ts buildBookingFields), against the
 * simulator enforcing them as getBookingResponsesSchema does.
 */
describe('book: booking questions of Cal.com event types', () => {
  let h: CoreHarness;
  let registry: EventTypeRegistry | undefined;
  let client: CalcomClient;
  const eventTypes = { get: (id: number): CalcomEventType | undefined => registry?.get(id) };

  before(async () => {
    h = await startCoreHarness({ eventTypes });
    client = new CalcomClient({ baseUrl: h.sim.url, apiKey: 'cal_test_key' });
  });
  after(async () => {
    registry?.close();
    await client.close();
    await h.close();
  });
  beforeEach(() => h.sim.control.reset());

  const eventTypeOf = (serviceId: string) => h.core.catalog.service(COMPANY, serviceId)!.segments[0]!.eventTypeId;

  async function askFor(serviceId: string, extra: { bookingFields: Array<{ slug: string; type: string; required: boolean; hidden?: boolean }>; locations?: Array<{ type: string }> }) {
    const id = eventTypeOf(serviceId);
    const et = h.sim.control.eventTypes().find((e) => e.id === id)!;
    h.sim.control.addEventType({ id, slug: et.slug, title: et.title, lengthInMinutes: et.lengthInMinutes, hostId: et.hostId, slotIntervalMinutes: et.slotIntervalMinutes, ...extra });
    registry?.close();
    ({ registry } = await EventTypeRegistry.create({ source: client, eventTypeIds: [id], refreshIntervalMs: 0 }));
  }

  test('notes with the call id, the caller\'s phone and the attendee-phone location are sent where asked', async () => {
    await askFor('herrenhaarschnitt', {
      locations: [{ type: 'attendeePhone' }],
      bookingFields: [
        { slug: 'name', type: 'name', required: true },
        { slug: 'email', type: 'email', required: true },
        { slug: 'location', type: 'radioInput', required: true },
        { slug: 'notes', type: 'textarea', required: true },
        { slug: 'attendeePhoneNumber', type: 'phone', required: true },
      ],
    });
    const start = upcomingWorkday('11:00', 4);
    const reply = await h.core.booking.book(
      'fields-ok',
      { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(start), customer: customer(1), callId: 'call_fields' },
      15_000,
    );
    assert.equal(reply.status, 'booked', JSON.stringify(reply));
    const [booking] = h.sim.control.bookings();
    assert.equal((booking?.bookingFieldsResponses as Record<string, unknown>).notes, 'Telefonisch gebucht (Anruf call_fields)');
    assert.equal(booking?.location, customer(1).phone);
  });

  test('a required question a phone call cannot answer: refused with a German sentence, nothing sent to Cal.com', async () => {
    await askFor('herrenhaarschnitt', {
      bookingFields: [
        { slug: 'name', type: 'name', required: true },
        { slug: 'email', type: 'email', required: true },
        { slug: 'allergien', type: 'textarea', required: true },
      ],
    });
    const start = upcomingWorkday('12:00', 4);
    const reply = await h.core.booking.book('fields-no', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(start), customer: customer(2) }, 15_000);
    assert.equal(reply.status, 'rejected', JSON.stringify(reply));
    assert.equal(reply.status === 'rejected' && reply.code, 'booking_field_unfillable');
    assert.match(reply.status === 'rejected' ? reply.message : '', /online/);
    assert.equal(h.sim.control.stats().requests.create_booking, undefined);
  });

  // Cal.com keeps an event type's buffers free around each of its bookings (its busy times are
  // widened by beforeEventBuffer/afterEventBuffer: packages/features/availability/lib/getUserAvailability.ts),
  // so the local overlap check widens the range the same way and refuses without asking Cal.com.
  test('buffers widen the local overlap check: a start inside the after-buffer of a booking is refused locally', async () => {
    await askFor('herrenhaarschnitt', { bookingFields: [{ slug: 'name', type: 'name', required: true }, { slug: 'email', type: 'email', required: true }] });
    const id = eventTypeOf('herrenhaarschnitt');
    const et = h.sim.control.eventTypes().find((e) => e.id === id)!;
    h.sim.control.addEventType({ id, slug: et.slug, title: et.title, lengthInMinutes: et.lengthInMinutes, hostId: et.hostId, slotIntervalMinutes: et.slotIntervalMinutes, afterEventBuffer: 30 });
    registry?.close();
    ({ registry } = await EventTypeRegistry.create({ source: client, eventTypeIds: [id], refreshIntervalMs: 0 }));
    const ten = upcomingWorkday('10:00', 8); // never the day of the 11:00 booking above (day 4), whatever Sunday is skipped
    const first = await h.core.booking.book('buffer-a', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(ten), customer: customer(2) }, 15_000);
    assert.equal(first.status, 'booked', JSON.stringify(first));
    const creates = h.sim.control.stats().requests.create_booking;
    // 10:30 is free by the booking itself (10:00–10:30) but inside its 30-minute after-buffer.
    const second = await h.core.booking.book('buffer-b', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(ten + 30 * 60_000), customer: customer(3) }, 15_000);
    assert.equal(second.status, 'slot_unavailable', JSON.stringify(second));
    assert.equal(h.sim.control.stats().requests.create_booking, creates, 'refused before any Cal.com create');
    assert.equal(second.status === 'slot_unavailable' && second.reason, 'local_conflict', 'the local check refused it');
    // after the buffer it is free again
    const third = await h.core.booking.book('buffer-c', { companyId: COMPANY, serviceId: 'herrenhaarschnitt', start: iso(ten + 60 * 60_000), customer: customer(4) }, 15_000);
    assert.equal(third.status, 'booked', JSON.stringify(third));
  });
});
