import type { Store } from '../store/index.ts';
import { calendarKeyOf, totalMinutes, type Catalog } from './schema.ts';

/**
 * Writes the catalog into the database (upsert, one transaction), so that queries can join on it.
 * Every write is an upsert: processes starting together on one PostgreSQL database each replace
 * the routes, and the later one waits for the earlier instead of failing on a duplicate key.
 */
export async function syncCatalog(store: Store, catalog: Catalog): Promise<void> {
  await store.sql.transaction(async (tx) => {
    await tx.run('DELETE FROM tenant_routes');
    await tx.run('DELETE FROM api_tokens');
    for (const company of catalog.companies) {
      await tx.run(
        `INSERT INTO companies (id, name, time_zone) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone`,
        [company.id, company.name, company.timeZone],
      );
      for (const route of [...company.phoneNumbers, ...company.retellAgentIds]) await tx.run(
          'INSERT INTO tenant_routes (route, company_id) VALUES (?, ?) ON CONFLICT (route) DO UPDATE SET company_id = excluded.company_id',
          [route, company.id],
        );
      for (const token of company.apiTokens) await tx.run(
          'INSERT INTO api_tokens (token_sha256, company_id, role) VALUES (?, ?, ?) ON CONFLICT (token_sha256) DO UPDATE SET company_id = excluded.company_id, role = excluded.role',
          [token.sha256, company.id, token.role],
        );
      for (const service of company.services) {
        await tx.run(
          `INSERT INTO services (id, company_id, name, aliases, duration_min, event_type_id, calendar_key, segments, price_cents)
           VALUES (@id, @companyId, @name, @aliases, @duration, @eventTypeId, @calendarKey, @segments, @priceCents)
           ON CONFLICT (company_id, id) DO UPDATE SET name = excluded.name, aliases = excluded.aliases, duration_min = excluded.duration_min,
             event_type_id = excluded.event_type_id, calendar_key = excluded.calendar_key, segments = excluded.segments, price_cents = excluded.price_cents`,
          {
            id: service.id,
            companyId: company.id,
            name: service.name,
            aliases: JSON.stringify(service.aliases),
            duration: totalMinutes(service),
            eventTypeId: service.eventTypeId ?? null,
            calendarKey: calendarKeyOf(service),
            segments: service.segments ? JSON.stringify(service.segments) : null,
            priceCents: service.priceCents ?? null,
          },
        );
      }
    }
  });
}
