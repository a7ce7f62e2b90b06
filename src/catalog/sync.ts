import type { Db } from '../store/db.ts';
import { calendarKeyOf, totalMinutes, type Catalog } from './schema.ts';

/** Writes the catalog into the database (upsert), so that queries can join on it. */
export function syncCatalog(db: Db, catalog: Catalog): void {
  const upsertCompany = db.prepare(
    `INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone`,
  );
  const upsertService = db.prepare(
    `INSERT INTO services (id, company_id, name, aliases, duration_min, event_type_id, calendar_key, segments, price_cents)
     VALUES (@id, @companyId, @name, @aliases, @duration, @eventTypeId, @calendarKey, @segments, @priceCents)
     ON CONFLICT (company_id, id) DO UPDATE SET name = excluded.name, aliases = excluded.aliases, duration_min = excluded.duration_min,
       event_type_id = excluded.event_type_id, calendar_key = excluded.calendar_key, segments = excluded.segments, price_cents = excluded.price_cents`,
  );
  const insertRoute = db.prepare('INSERT INTO tenant_routes (route, company_id) VALUES (?, ?)');
  const insertToken = db.prepare('INSERT INTO api_tokens (token_sha256, company_id, role) VALUES (?, ?, ?)');
  db.transaction(() => {
    db.exec('DELETE FROM tenant_routes; DELETE FROM api_tokens;');
    for (const company of catalog.companies) {
      upsertCompany.run(company.id, company.name, company.timeZone);
      for (const route of [...company.phoneNumbers, ...company.retellAgentIds]) insertRoute.run(route, company.id);
      for (const token of company.apiTokens) insertToken.run(token.sha256, company.id, token.role);
      for (const service of company.services) {
        upsertService.run({
          id: service.id,
          companyId: company.id,
          name: service.name,
          aliases: JSON.stringify(service.aliases),
          duration: totalMinutes(service),
          eventTypeId: service.eventTypeId ?? null,
          calendarKey: calendarKeyOf(service),
          segments: service.segments ? JSON.stringify(service.segments) : null,
          priceCents: service.priceCents ?? null,
        });
      }
    }
  })();
}

