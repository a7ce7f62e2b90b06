// `catalog check`: would every service of the catalog book in Cal.com as it stands? The event
// types must exist, their lengths must match the catalog, and every required question of
// their booking forms must be one the runtime answers.
import type { BookingField, CalEventType, EventTypeSource } from './calcom-event-types.ts';
import { CatalogIndex } from './catalog-index.ts';
import type { Catalog } from './schema.ts';

/**
 * Booking-form questions the runtime fills: the attendee's name and email (a placeholder
 * address when the company has one), their phone, and notes (the call id). A required
 * `location` is fillable only as the attendee's phone.
 */
const FILLED = new Set(['name', 'email', 'attendeePhoneNumber', 'notes']);

export interface CheckProblem {
  companyId: string;
  serviceId: string;
  eventTypeId: number;
  message: string;
}

export function unfillable(et: CalEventType): BookingField[] {
  return et.bookingFields.filter((field) => {
    if (!field.required || field.hidden) return false;
    if (FILLED.has(field.slug)) return false;
    if (field.slug === 'location') return !et.locationTypes.includes('attendeePhone');
    return true;
  });
}

export async function checkCatalog(catalog: Catalog, source: EventTypeSource, companyId?: string): Promise<CheckProblem[]> {
  const index = new CatalogIndex(catalog);
  const seen = new Map<number, Promise<CalEventType | undefined>>();
  const lookup = (id: number) => {
    if (!seen.has(id)) seen.set(id, source.get(id));
    return seen.get(id)!;
  };
  const problems: CheckProblem[] = [];
  for (const company of catalog.companies) {
    if (companyId && company.id !== companyId) continue;
    for (const entry of index.servicesOf(company.id)) {
      for (const segment of entry.segments) {
        const where = { companyId: company.id, serviceId: entry.service.id, eventTypeId: segment.eventTypeId };
        const et = await lookup(segment.eventTypeId);
        if (!et) {
          problems.push({ ...where, message: `event type ${segment.eventTypeId} does not exist in ${source.label}` });
          continue;
        }
        if (et.lengthInMinutes !== segment.durationMinutes) {
          const field = entry.service.segments ? `segments[${segment.index}].durationMinutes` : 'durationMinutes';
          problems.push({ ...where, message: `event type ${et.id} is ${et.lengthInMinutes} min in Cal.com, ${field} says ${segment.durationMinutes}` });
        }
        for (const field of unfillable(et)) {
          const why = field.slug === 'location' ? 'required location the runtime can fill only as "attendee phone" (add that location in Cal.com or make it optional)' : 'required booking question the runtime cannot answer (make it optional in Cal.com)';
          problems.push({ ...where, message: `event type ${et.id} "${field.slug}" (${field.type}): ${why}` });
        }
      }
    }
  }
  return problems;
}
