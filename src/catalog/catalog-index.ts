import { calendarKeyOf, sha256Hex, totalMinutes, type Catalog, type CompanyConfig, type ServiceConfig } from './schema.ts';

/** One Cal.com booking of a service: composite services have several, with gaps between. */
export interface Segment {
  index: number;
  eventTypeId: number;
  /** Minutes from the service's start. */
  offsetMinutes: number;
  durationMinutes: number;
}

export interface ServiceEntry {
  company: CompanyConfig;
  service: ServiceConfig;
  calendarKey: string;
  totalMinutes: number;
  segments: Segment[];
  /** Id, name and aliases, normalised for matching what callers say. */
  spokenNames: string[];
}

/** Lookups over the validated catalog: companies, services by id, spoken name or event type. */
export class CatalogIndex {
  private readonly companies = new Map<string, CompanyConfig>();
  private readonly services = new Map<string, ServiceEntry>();
  private readonly byEventType = new Map<number, ServiceEntry>();
  private readonly byCompany = new Map<string, ServiceEntry[]>();

  constructor(readonly catalog: Catalog) {
    for (const company of catalog.companies) {
      this.companies.set(company.id, company);
      for (const service of company.services) {
        const entry: ServiceEntry = {
          company,
          service,
          calendarKey: calendarKeyOf(service),
          totalMinutes: totalMinutes(service),
          segments: segmentsOf(service),
          spokenNames: [service.id, service.name, ...service.aliases].map(normalize),
        };
        this.services.set(`${company.id}/${service.id}`, entry);
        this.byCompany.set(company.id, [...(this.byCompany.get(company.id) ?? []), entry]);
        // A plain service owns its event type; composites reuse plain ones' event types.
        for (const segment of entry.segments) {
          if (!this.byEventType.has(segment.eventTypeId) || !service.segments) this.byEventType.set(segment.eventTypeId, entry);
        }
      }
    }
  }

  company(companyId: string): CompanyConfig | undefined {
    return this.companies.get(companyId);
  }

  service(companyId: string, serviceId: string): ServiceEntry | undefined {
    return this.services.get(`${companyId}/${serviceId}`);
  }

  serviceByEventType(eventTypeId: number): ServiceEntry | undefined {
    return this.byEventType.get(eventTypeId);
  }

  servicesOf(companyId: string): ServiceEntry[] {
    return this.byCompany.get(companyId) ?? [];
  }

  /**
   * The company's service a caller named: exact id, name or alias first (case, umlauts and
   * punctuation ignored), then the one whose name or alias contains the words said.
   */
  findService(companyId: string, spoken: string): ServiceEntry | undefined {
    const said = normalize(spoken);
    if (!said) return undefined;
    const entries = this.servicesOf(companyId);
    return (
      entries.find((e) => e.spokenNames.includes(said)) ??
      entries.find((e) => e.spokenNames.some((name) => name.includes(said))) ??
      entries.find((e) => e.spokenNames.some((name) => said.includes(name)))
    );
  }

  /** Resolves a versioned or custom function name (e.g. `check_availability_v17`). */
  /** The company an args-only agent URL's token belongs to. */
  companyForToolToken(token: string): CompanyConfig | undefined {
    if (!/^[A-Za-z0-9_-]{16,200}$/.test(token)) return undefined;
    const digest = sha256Hex(token);
    return this.catalog.companies.find((company) => company.retellToolTokens.includes(digest));
  }

  functionName(name: string): string {
    return this.catalog.functionAliases[name] ?? name;
  }
}

export function segmentsOf(service: ServiceConfig): Segment[] {
  if (!service.segments) {
    return [{ index: 0, eventTypeId: service.eventTypeId!, offsetMinutes: 0, durationMinutes: service.durationMinutes! }];
  }
  const segments: Segment[] = [];
  let offset = 0;
  for (const part of service.segments) {
    if ('gapMinutes' in part) {
      offset += part.gapMinutes;
      continue;
    }
    segments.push({ index: segments.length, eventTypeId: part.eventTypeId, offsetMinutes: offset, durationMinutes: part.durationMinutes });
    offset += part.durationMinutes;
  }
  return segments;
}

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .replace(/\+/g, ' und ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
