import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isKnownRegion } from '../domain/index.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm');
const zone = z.string().refine((name) => DateTime.local().setZone(name).isValid, 'expected an IANA time zone, e.g. Europe/Berlin');
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and -');

/** One piece of a composite service: a Cal.com booking, or a pause between two. */
const segmentSchema = z.union([
  z.object({ eventTypeId: z.number().int().positive(), durationMinutes: z.number().int().positive() }).strict(),
  z.object({ gapMinutes: z.number().int().positive() }).strict(),
]);

/** One question of a Cal.com booking form: its slug, type and whether the booker must answer it. */
const bookingFieldSchema = z.object({ slug: z.string().min(1), type: z.string().min(1), required: z.boolean() }).strict();

const serviceSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    durationMinutes: z.number().int().positive().optional(),
    eventTypeId: z.number().int().positive().optional(),
    /** The calendar the service books into (the stylist's); services on one calendar collide. */
    calendar: slug.optional(),
    segments: z.array(segmentSchema).min(2).optional(),
    priceCents: z.number().int().nonnegative().optional(),
    /** The event type's booking questions as `catalog import` found them (informational; `catalog check` asks Cal.com). */
    bookingFields: z.array(bookingFieldSchema).optional(),
  })
  .strict()
  .superRefine((service, ctx) => {
    if (service.segments) {
      if (service.eventTypeId) ctx.addIssue({ code: 'custom', path: ['eventTypeId'], message: 'a composite service takes its event types from segments' });
      const bookings = service.segments.filter((s) => 'eventTypeId' in s);
      if (bookings.length < 2) ctx.addIssue({ code: 'custom', path: ['segments'], message: 'a composite service needs at least two bookable segments' });
      if (!('eventTypeId' in service.segments[0]!) || !('eventTypeId' in service.segments.at(-1)!)) {
        ctx.addIssue({ code: 'custom', path: ['segments'], message: 'segments must start and end with a booking, not a gap' });
      }
    } else {
      if (!service.eventTypeId) ctx.addIssue({ code: 'custom', path: ['eventTypeId'], message: 'required (or give segments)' });
      if (!service.durationMinutes) ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: 'required (or give segments)' });
    }
  });

const companySchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    timeZone: zone.default('Europe/Berlin'),
    businessHours: z.object({ open: hhmm, close: hhmm }).strict().default({ open: '08:00', close: '20:00' }),
    /** Dialled numbers (E.164) and Retell agent ids that identify this company's calls. */
    phoneNumbers: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected E.164, e.g. +4930123456')).default([]),
    retellAgentIds: z.array(z.string().min(1)).default([]),
    /**
     * Public holidays of the business's region (date-holidays country and state codes, e.g.
     * { country: 'DE', state: 'BY' }); a public holiday there is a closed day. Absent = Germany's
     * national holidays only ({ country: 'DE' }).
     */
    holidays: z
      .object({
        country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO country code, e.g. DE').default('DE'),
        state: z.string().regex(/^[A-Z0-9]{1,3}$/, 'expected a state code, e.g. BY or BE').optional(),
      })
      .strict()
      .refine((r) => isKnownRegion(r), 'unknown country or state for public holidays (e.g. DE, DE/BY, DE/BE)')
      .optional(),
    /** When set, a caller without an email is booked with noreply+<digits>@<domain>. */
    placeholderEmailDomain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/).optional(),
    billing: z
      .object({ resellerMarkup: z.number().positive().default(1), customerMarkup: z.number().positive().default(1) })
      .strict()
      .default({ resellerMarkup: 1, customerMarkup: 1 }),
    /**
     * Retell's "Payload: args only" sends no call: the tool URL /retell/agents/{token}/functions/{name}
     * names the company instead. The hex SHA-256 of each such token (the token itself lives only in Retell).
     */
    retellToolTokens: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'expected the hex SHA-256 of the token')).default([]),
    apiTokens: z
      .array(
        z
          .object({
            sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected the hex SHA-256 of the token'),
            role: z.enum(['customer', 'reseller', 'admin']),
            /** Who the token was made for (`token create --label`), and when: for `token list`. */
            label: z.string().max(200).optional(),
            createdAt: z.string().max(40).optional(),
          })
          .strict(),
      )
      .default([]),
    services: z.array(serviceSchema).min(1),
  })
  .strict()
  .superRefine((company, ctx) => {
    const ids = new Set<string>();
    company.services.forEach((service, i) => {
      if (ids.has(service.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id "${service.id}"` });
      ids.add(service.id);
    });
  });

export const catalogSchema = z
  .object({
    companies: z.array(companySchema).min(1),
    /** Versioned or custom Retell function names → the function they mean. */
    functionAliases: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    const routes = new Map<string, string>();
    catalog.companies.forEach((company, i) => {
      for (const route of [...company.phoneNumbers, ...company.retellAgentIds]) {
        const owner = routes.get(route);
        if (owner && owner !== company.id) ctx.addIssue({ code: 'custom', path: ['companies', i], message: `"${route}" already belongs to ${owner}` });
        routes.set(route, company.id);
      }
    });
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type CompanyConfig = Catalog['companies'][number];
export type ServiceConfig = CompanyConfig['services'][number];

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Reads and validates the catalog; errors name the file and the bad field's path. */
export function loadCatalog(file: string): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogError(`catalog ${file}: ${(error as Error).message}`);
  }
  return parseCatalog(raw, file);
}

export function parseCatalog(raw: unknown, source = 'catalog'): Catalog {
  const parsed = catalogSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new CatalogError(`${source} is invalid:\n${lines.join('\n')}`);
}

/** The calendar a service books into: its `calendar`, else its (first) event type. */
export function calendarKeyOf(service: ServiceConfig): string {
  if (service.calendar) return service.calendar;
  const eventTypeId = service.eventTypeId ?? (service.segments!.find((s) => 'eventTypeId' in s) as { eventTypeId: number }).eventTypeId;
  return `et-${eventTypeId}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A service's whole length, gaps included. */
export function totalMinutes(service: ServiceConfig): number {
  if (!service.segments) return service.durationMinutes!;
  return service.segments.reduce((sum, s) => sum + ('gapMinutes' in s ? s.gapMinutes : s.durationMinutes), 0);
}
