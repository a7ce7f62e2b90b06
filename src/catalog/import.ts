// `catalog import`: Cal.com's event types become a company's services. Merging into an
// existing catalog keeps what people wrote (ids, aliases, calendars, prices, composite
// services); Cal.com decides names, lengths and booking forms. A renamed event type keeps
// its old name as an alias, so callers' words keep matching.
import type { BookingField, CalEventType } from './calcom-event-types.ts';
import type { RawCatalog, RawCompany, RawService } from './file.ts';

export interface ImportTarget {
  companyId: string;
  /** Only for a new company (default: the id). */
  companyName?: string;
  timeZone?: string;
  /** Dialled numbers to add to the company's phoneNumbers. */
  phoneNumbers?: string[];
  /** The whole list was read (not single --event-type ids): services missing from it are reported. */
  fullList: boolean;
}

export interface ImportResult {
  catalog: RawCatalog;
  /** One line per change or finding, for the operator. */
  lines: string[];
}

export function mergeEventTypes(existing: RawCatalog | undefined, target: ImportTarget, eventTypes: CalEventType[]): ImportResult {
  const catalog: RawCatalog = existing ? structuredClone(existing) : { companies: [] };
  catalog.companies ??= [];
  const lines: string[] = [];
  let company = catalog.companies.find((c) => c.id === target.companyId);
  if (!company) {
    company = { id: target.companyId, name: target.companyName ?? target.companyId, timeZone: target.timeZone ?? 'Europe/Berlin', phoneNumbers: [], services: [] } as RawCompany;
    catalog.companies.push(company);
    lines.push(`new company ${company.id} (${company.name})`);
  }
  company.services ??= [];
  if (target.phoneNumbers?.length) {
    const numbers = new Set([...((company.phoneNumbers as string[] | undefined) ?? []), ...target.phoneNumbers]);
    company.phoneNumbers = [...numbers];
  }

  const imported = new Set<number>();
  for (const et of eventTypes) {
    if (et.hidden) {
      lines.push(`skipped event type ${et.id} "${et.title}": hidden in Cal.com`);
      continue;
    }
    imported.add(et.id);
    const fields = catalogFields(et.bookingFields);
    const service = company.services.find((s) => s.eventTypeId === et.id);
    if (service) {
      const changes: string[] = [];
      if (service.name !== et.title && et.title) {
        const aliases = new Set([...((service.aliases as string[] | undefined) ?? []), service.name]);
        aliases.delete(et.title);
        service.aliases = [...aliases];
        changes.push(`name "${service.name}" → "${et.title}" (old name kept as alias)`);
        service.name = et.title;
      }
      if (service.durationMinutes !== et.lengthInMinutes) {
        changes.push(`duration ${service.durationMinutes} → ${et.lengthInMinutes} min`);
        service.durationMinutes = et.lengthInMinutes;
      }
      if (JSON.stringify(service.bookingFields ?? []) !== JSON.stringify(fields)) changes.push('booking fields updated');
      service.bookingFields = fields;
      lines.push(changes.length ? `updated ${service.id} (event type ${et.id}): ${changes.join(', ')}` : `unchanged ${service.id} (event type ${et.id})`);
      continue;
    }
    const id = uniqueId(company.services, et.slug || et.title || `event-${et.id}`);
    const calendar = et.hosts.length === 1 ? slugify(et.hosts[0]!) : undefined;
    const added: RawService = {
      id,
      name: et.title,
      aliases: [],
      durationMinutes: et.lengthInMinutes,
      eventTypeId: et.id,
      ...(calendar && { calendar }),
      ...(et.priceCents !== undefined && { priceCents: et.priceCents }),
      bookingFields: fields,
    };
    company.services.push(added);
    const where = calendar ? `calendar ${calendar}` : et.hosts.length > 1 ? `own calendar: ${et.hosts.length} hosts (${et.hosts.join(', ')})` : 'own calendar';
    lines.push(`added ${id}: "${et.title}", ${et.lengthInMinutes} min, event type ${et.id}, ${where}`);
  }

  for (const service of company.services) {
    const segments = service.segments as Array<{ eventTypeId?: number; durationMinutes?: number }> | undefined;
    if (segments) {
      for (const segment of segments) {
        const et = eventTypes.find((e) => e.id === segment.eventTypeId);
        if (et && et.lengthInMinutes !== segment.durationMinutes) {
          lines.push(`check ${service.id}: segment event type ${et.id} is ${et.lengthInMinutes} min in Cal.com, ${segment.durationMinutes} in the catalog (composite services are not changed)`);
        }
      }
    } else if (target.fullList && typeof service.eventTypeId === 'number' && !imported.has(service.eventTypeId)) {
      lines.push(`kept ${service.id}: event type ${service.eventTypeId} is not among Cal.com's event types (remove it by hand if it is gone)`);
    }
  }
  return { catalog, lines };
}

/** What the catalog records of a booking form: the questions that matter — required or custom ones. */
export function catalogFields(fields: BookingField[]): Array<{ slug: string; type: string; required: boolean }> {
  return fields.filter((f) => !f.hidden && (f.required || !f.isDefault)).map((f) => ({ slug: f.slug, type: f.type, required: f.required }));
}

function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z0-9]/.test(slug) ? slug : `x-${slug || 'service'}`;
}

function uniqueId(services: RawService[], base: string): string {
  const slug = slugify(base);
  let id = slug;
  for (let n = 2; services.some((s) => s.id === id); n++) id = `${slug}-${n}`;
  return id;
}
