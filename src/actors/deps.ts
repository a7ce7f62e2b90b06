import type { Logger } from 'pino';
import type { AvailabilityCache } from '../availability/cache.ts';
import type { CalcomClient, CalcomEventType } from '../calcom/index.ts';
import type { CatalogIndex } from '../catalog/index.ts';
import type { Store } from '../store/index.ts';

export type BookingCommand = 'book' | 'cancel' | 'reschedule' | 'reconcile';
export type BookingOutcome = 'success' | 'slot_unavailable' | 'rejected' | 'error';

/** What the slot actor's handlers act on; passed in, never imported as globals. */
export interface SlotActorDeps {
  store: Store;
  calcom: CalcomClient;
  catalog: CatalogIndex;
  availability: AvailabilityCache;
  /** Drops cached availability of a calendar-week here and in every other process. */
  invalidateAvailability(companyId: string, calendarKey: string, atUtc: number, zone: string): void;
  /** Durably tells the old day's actor of a reschedule to retire the old row (its `rescheduleOut`). */
  retire(oldKey: string, input: { companyId: string; appointmentId: number; replacedBy: number }, commandId: string): Promise<unknown>;
  now: () => number;
  /** A fresh, webhook-kept view younger than this lets a booking skip the Cal.com double-check. */
  freshViewMs: number;
  /** Waits before looking up a create whose answer was lost (a slow Cal.com may still be making it). */
  reconcileDelaysMs?: number[];
  /**
   * Cal.com's event types as last read (an EventTypeRegistry): the create fills their
   * booking questions. Without it, creates send no bookingFieldsResponses/location.
   */
  eventTypes?: { get(eventTypeId: number): CalcomEventType | undefined };
  observeOutcome?(command: BookingCommand, outcome: BookingOutcome): void;
  observeCompensation?(result: 'cancelled' | 'orphaned'): void;
  logger: Logger;
}
