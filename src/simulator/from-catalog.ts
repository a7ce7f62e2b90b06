import type { Catalog } from '../catalog/index.ts';
import { CatalogIndex } from '../catalog/index.ts';
import type { CalcomSimulatorOptions } from './server.ts';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * Simulator settings that mirror the catalog: one host per calendar, one event type per
 * Cal.com event type the services use, open Monday to Saturday in business hours. This is
 * what `npm start` runs against when no Cal.com key is configured.
 */
export function simulatorOptionsFromCatalog(catalog: Catalog, slotIntervalMinutes = 30): Pick<CalcomSimulatorOptions, 'hosts' | 'eventTypes' | 'hours' | 'timeZone'> {
  const index = new CatalogIndex(catalog);
  const hostIds = new Map<string, number>();
  const eventTypes = new Map<number, NonNullable<CalcomSimulatorOptions['eventTypes']>[number]>();
  for (const company of catalog.companies) {
    for (const entry of index.servicesOf(company.id)) {
      const hostKey = `${company.id}/${entry.calendarKey}`;
      if (!hostIds.has(hostKey)) hostIds.set(hostKey, hostIds.size + 1);
      for (const segment of entry.segments) {
        if (eventTypes.has(segment.eventTypeId)) continue;
        eventTypes.set(segment.eventTypeId, {
          id: segment.eventTypeId,
          slug: `${entry.service.id}-${segment.eventTypeId}`,
          title: entry.service.name,
          lengthInMinutes: segment.durationMinutes,
          hostId: hostIds.get(hostKey)!,
          slotIntervalMinutes,
        });
      }
    }
  }
  const first = catalog.companies[0]!;
  const hours = Object.fromEntries(WEEKDAYS.map((day) => [day, [{ start: first.businessHours.open, end: first.businessHours.close }]]));
  return {
    timeZone: first.timeZone,
    hours,
    hosts: [...hostIds].map(([key, id]) => ({ id, name: key })),
    eventTypes: [...eventTypes.values()],
  };
}
