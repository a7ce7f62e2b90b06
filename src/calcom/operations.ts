/**
 * The Cal.com API v2 operations this project uses, with the exact `cal-api-version`
 * each endpoint needs. A missing or unknown version silently routes to the legacy
 * 2024-04-15 controllers, which answer v2 bodies with 400 — so the version is part
 * of the operation, never a free choice of the caller.
 */
export const CALCOM_OPERATIONS = [
  'slots',
  'create_booking',
  'get_booking',
  'list_bookings',
  'cancel_booking',
  'reschedule_booking',
  'reserve_slot',
  'release_reservation',
  'get_event_type',
] as const;

export type CalcomOperation = (typeof CALCOM_OPERATIONS)[number];

export const SLOTS_API_VERSION = '2024-09-04';
export const BOOKINGS_API_VERSION = '2024-08-13';
/**
 * GET /v2/event-types/{id}: "Must be set to 2024-06-14" (the published OpenAPI document;
 * apps/api/v2/src/ee/event-types/event-types_2024_06_14/controllers/event-types.controller.ts).
 */
export const EVENT_TYPES_API_VERSION = '2024-06-14';

export const API_VERSION: Record<CalcomOperation, string> = {
  slots: SLOTS_API_VERSION,
  reserve_slot: SLOTS_API_VERSION,
  release_reservation: SLOTS_API_VERSION,
  create_booking: BOOKINGS_API_VERSION,
  get_booking: BOOKINGS_API_VERSION,
  list_bookings: BOOKINGS_API_VERSION,
  cancel_booking: BOOKINGS_API_VERSION,
  reschedule_booking: BOOKINGS_API_VERSION,
  get_event_type: EVENT_TYPES_API_VERSION,
};

/**
 * Operations that may be repeated after an unclear failure (5xx, timeout, dropped
 * connection) without risk of acting twice. The others create something (a booking,
 * a reservation): they are retried only when Cal.com surely did not act.
 */
export const IDEMPOTENT: Record<CalcomOperation, boolean> = {
  slots: true,
  get_booking: true,
  list_bookings: true,
  cancel_booking: true,
  release_reservation: true,
  create_booking: false,
  reschedule_booking: false,
  reserve_slot: false,
  get_event_type: true,
};

export function isCalcomOperation(value: string): value is CalcomOperation {
  return (CALCOM_OPERATIONS as readonly string[]).includes(value);
}
