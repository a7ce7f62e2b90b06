import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoadCompany {
  id: string;
  phone: string;
  eventTypeId: number;
}

/**
 * A catalog of `count` salons, each with its own number, calendar and one 30-minute
 * service (event type 5000+i), open 08:00–20:00 Monday to Saturday — room for thousands
 * of bookings a week, so load runs measure the runtime rather than a full calendar.
 */
export function writeLoadCatalog(dir: string, count: number): { file: string; companies: LoadCompany[] } {
  const companies: LoadCompany[] = Array.from({ length: count }, (_, i) => ({
    id: `load-${String(i).padStart(3, '0')}`,
    phone: `+4930${String(1_000_000 + i).padStart(7, '0')}`,
    eventTypeId: 5000 + i,
  }));
  const catalog = {
    companies: companies.map((c) => ({
      id: c.id,
      name: `Salon ${c.id}`,
      timeZone: 'Europe/Berlin',
      businessHours: { open: '08:00', close: '20:00' },
      phoneNumbers: [c.phone],
      placeholderEmailDomain: 'kunden.example.de',
      services: [{ id: 'herrenhaarschnitt', name: 'Herrenhaarschnitt', aliases: ['Herrenschnitt'], durationMinutes: 30, eventTypeId: c.eventTypeId, calendar: 'stylist' }],
    })),
  };
  const file = join(dir, 'load-catalog.json');
  writeFileSync(file, JSON.stringify(catalog, null, 2));
  return { file, companies };
}
