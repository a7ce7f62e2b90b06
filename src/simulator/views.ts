import type { SimBooking, SimCalendar, SimEventType, SimReservation } from './calendar.ts';

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
    // A deleted host user: output.service.ts getHost() falls back to id "unknown".
    hosts: [
      calendar.deletedHosts.has(host.id)
        ? { id: 'unknown', name: 'unknown', email: 'unknown', username: 'unknown', timeZone: 'unknown' }
        : { id: host.id, name: host.name, email: host.email, username: host.username, timeZone: host.timeZone },
    ],
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
    location: b.location ?? '',
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

/** EventTypeOutput_2024_06_14 (apps/api/v2/src/ee/event-types/event-types_2024_06_14/services/output-event-types.service.ts). */
export function apiEventType(calendar: SimCalendar, et: SimEventType): Record<string, unknown> {
  const host = calendar.host(et.hostId);
  return {
    id: et.id,
    ownerId: host.id,
    lengthInMinutes: et.lengthInMinutes,
    title: et.title,
    slug: et.slug,
    description: '',
    locations: et.locations,
    bookingFields: et.bookingFields.map((f) => ({
      isDefault: f.isDefault ?? false,
      type: f.type,
      slug: f.slug,
      required: f.required,
      hidden: f.hidden ?? false,
      ...(f.label !== undefined && { label: f.label }),
    })),
    recurrence: null,
    disableGuests: false,
    slotInterval: et.slotIntervalMinutes ?? null,
    minimumBookingNotice: et.minimumBookingNoticeMinutes,
    beforeEventBuffer: et.beforeEventBuffer,
    afterEventBuffer: et.afterEventBuffer,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    forwardParamsSuccessRedirect: true,
    successRedirectUrl: null,
    isInstantEvent: false,
    users: [{ id: host.id, name: host.name, username: host.username, avatarUrl: null, brandColor: null, darkBrandColor: null, weekStart: 'Monday', metadata: {} }],
    scheduleId: null,
    bookingLimitsCount: et.maxBookingsPerDay !== undefined ? { day: et.maxBookingsPerDay } : { disabled: true },
    bookingLimitsDuration: { disabled: true },
    onlyShowFirstAvailableSlot: false,
    bookingWindow: et.bookingWindowDays !== undefined ? { type: 'calendarDays', value: et.bookingWindowDays, rolling: true } : { disabled: true },
    confirmationPolicy: et.requiresConfirmation
      ? { type: 'always', blockUnconfirmedBookingsInBooker: et.pendingBlocksSlot }
      : { disabled: true },
    requiresBookerEmailVerification: false,
    hideCalendarNotes: false,
    seats: { disabled: true },
    hidden: false,
    bookingRequiresAuthentication: false,
    disableCancelling: { disabled: et.disableCancelling },
    disableRescheduling: { disabled: et.disableRescheduling },
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
