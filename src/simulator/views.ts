import type { SimBooking, SimCalendar, SimReservation } from './calendar.ts';

/** Renders simulator state in Cal.com's wire shapes (bookings 2024-08-13, slots 2024-09-04). */

const iso = (ms: number) => new Date(ms).toISOString();

export function bookingTitle(calendar: SimCalendar, b: SimBooking): string {
  const et = calendar.eventType(b.eventTypeId);
  return `${et.title} between ${calendar.host(b.hostId).name} and ${b.attendee.name}`;
}

/** BookingOutput_2024_08_13 (what POST/GET /v2/bookings return). */
export function apiBooking(calendar: SimCalendar, b: SimBooking): Record<string, unknown> {
  const et = calendar.eventType(b.eventTypeId);
  const host = calendar.host(b.hostId);
  return {
    id: b.id,
    uid: b.uid,
    title: bookingTitle(calendar, b),
    description: '',
    hosts: [{ id: host.id, name: host.name, email: host.email, username: host.username, timeZone: host.timeZone }],
    status: b.status,
    cancellationReason: b.cancellationReason,
    reschedulingReason: b.reschedulingReason,
    rescheduledFromUid: b.rescheduledFromUid,
    rescheduledToUid: b.rescheduledToUid,
    start: iso(b.startMs),
    end: iso(b.endMs),
    duration: Math.round((b.endMs - b.startMs) / 60_000),
    eventTypeId: et.id,
    eventType: { id: et.id, slug: et.slug },
    location: '',
    absentHost: false,
    createdAt: iso(b.createdAtMs),
    updatedAt: iso(b.updatedAtMs),
    metadata: b.metadata,
    attendees: [
      {
        name: b.attendee.name,
        email: b.attendee.email ?? '',
        displayEmail: b.attendee.email ?? '',
        timeZone: b.attendee.timeZone,
        language: b.attendee.language,
        absent: false,
        ...(b.attendee.phoneNumber && { phoneNumber: b.attendee.phoneNumber }),
      },
    ],
    guests: b.guests,
    bookingFieldsResponses: {
      name: b.attendee.name,
      ...(b.attendee.email && { email: b.attendee.email }),
      ...(b.attendee.phoneNumber && { attendeePhoneNumber: b.attendee.phoneNumber }),
      ...(b.guests.length && { guests: b.guests }),
      ...b.bookingFieldsResponses,
    },
  };
}

export function apiReservation(r: SimReservation): Record<string, unknown> {
  return {
    eventTypeId: r.eventTypeId,
    slotStart: iso(r.startMs),
    slotEnd: iso(r.endMs),
    slotDuration: Math.round((r.endMs - r.startMs) / 60_000),
    reservationUid: r.uid,
    reservationDuration: r.durationMinutes,
    reservationUntil: iso(r.untilMs),
  };
}
