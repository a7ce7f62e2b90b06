/** Cal.com API v2 access: client, errors, wire schemas and webhook signatures. */
export {
  CalcomClient,
  type BookingPage,
  type CallOptions,
  type CalcomClientOptions,
  type CalcomLogger,
  type CalcomRequestObservation,
} from './client.ts';
export {
  ATTENDEE_MESSAGES_DE,
  BOOKING_LANGUAGES,
  isBookingLanguage,
  isCalcomPhoneNumber,
  toBookingLanguage,
  validateAttendee,
  type AttendeeProblem,
  type AttendeeProblemCode,
  type BookingLanguage,
} from './attendee.ts';
export {
  buildBookingFields,
  catalogEventTypeIds,
  catalogServiceRefs,
  checkCatalogEventTypes,
  eventTypeWireSchema,
  needsConfirmation,
  toCalcomEventType,
  voiceBookingNote,
  type BookingFieldsOutcome,
  type CalcomEventType,
  type CatalogEventTypeProblem,
  type CatalogServiceRef,
  type ConfirmationMode,
  type EventTypeBookingField,
  type VoiceBookingFacts,
} from './event-types.ts';
export {
  EventTypeRegistry,
  type EventTypeRegistryLogger,
  type EventTypeRegistryOptions,
  type EventTypeSource,
  type RefreshResult,
} from './event-type-registry.ts';
export { parseRateLimitHeaders, RateLimitPacer, type RateLimitPacerOptions, type RateLimitSnapshot } from './rate-limit.ts';
export {
  CalcomError,
  CalcomUnknownOutcomeError,
  cancelRefusal,
  isRateLimited,
  type CancelRefusal,
  isAlreadyCancelled,
  isCalcomError,
  isNotFound,
  isSlotTaken,
  isUnknownOutcome,
  type CalcomErrorDetail,
  type CalcomErrorKind,
} from './errors.ts';
export {
  API_VERSION,
  BOOKINGS_API_VERSION,
  CALCOM_OPERATIONS,
  EVENT_TYPES_API_VERSION,
  IDEMPOTENT,
  SLOTS_API_VERSION,
  isCalcomOperation,
  type CalcomOperation,
} from './operations.ts';
export {
  createBookingReconciled,
  findBookingByMetadata,
  rescheduleBookingReconciled,
  type BookingApi,
  type CreateOutcome,
  type MetadataQuery,
  type ReconcileOptions,
  type RescheduleOutcome,
} from './reconcile.ts';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, retryAfterMs, type RetryPolicy } from './retry.ts';
export {
  E164,
  normalizePhoneNumber,
  type BookingLocationInput,
  type BookingStatus,
  isLiveBooking,
  type CalcomBooking,
  type CalcomPagination,
  type CalcomReservation,
  type CalcomSlot,
  type CancelBookingInput,
  type CreateBookingInput,
  type GetSlotsInput,
  type ListBookingsInput,
  type RescheduleBookingInput,
  type ReserveSlotInput,
  type SlotsByDate,
} from './schemas.ts';
export { NO_SECRET_SIGNATURE, signCalPayload, verifyCalSignature } from './signature.ts';
export { flattenSlots } from './slots.ts';
