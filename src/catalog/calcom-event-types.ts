// A small reader of Cal.com's event types for the onboarding commands: GET /v2/event-types,
// GET /v2/event-types/{id} (cal-api-version 2024-06-14) and GET /v2/teams/{id}/event-types,
// or the same shapes from the built-in simulator's seed. Only what `catalog import` and
// `catalog check` use is read; unknown fields are ignored.
// (src/calcom/event-types.ts on the calcom branch reads GET /v2/event-types/{id} for the
// booking path; this file is deliberately separate so the two merge without conflicts.)
import { z } from 'zod';
import type { EventTypeInput, HostInput } from '../simulator/index.ts';

const EVENT_TYPES_VERSION = '2024-06-14';

const bookingFieldSchema = z.looseObject({
  slug: z.string().optional(),
  name: z.string().optional(), // older outputs name the field instead of `slug`
  type: z.string().default('text'),
  required: z.unknown().optional(),
  hidden: z.boolean().nullish(),
  isDefault: z.unknown().optional(),
});

export const calEventTypeSchema = z.looseObject({
  id: z.number().int().positive(),
  slug: z.string().default(''),
  title: z.string().default(''),
  lengthInMinutes: z.number().positive(),
  hidden: z.boolean().nullish(),
  price: z.number().nullish(),
  ownerId: z.number().nullish(),
  users: z.array(z.unknown()).nullish(),
  teamId: z.number().nullish(),
  schedulingType: z.string().nullish(),
  hosts: z.array(z.looseObject({ userId: z.number().optional(), name: z.string().nullish(), username: z.string().nullish() })).nullish(),
  locations: z.array(z.looseObject({ type: z.string() })).nullish(),
  bookingFields: z.array(bookingFieldSchema).nullish(),
});

export interface BookingField {
  slug: string;
  type: string;
  required: boolean;
  hidden: boolean;
  isDefault: boolean;
}

export interface CalEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  hidden: boolean;
  priceCents: number | undefined;
  /** Usernames of the people it books (owner, or team hosts). */
  hosts: string[];
  teamId: number | undefined;
  locationTypes: string[];
  bookingFields: BookingField[];
}

export interface EventTypeSource {
  /** What it reads from, for messages ("Cal.com at https://api.cal.com", "the built-in simulator"). */
  readonly label: string;
  list(options?: { teamId?: number }): Promise<CalEventType[]>;
  /** undefined when the event type does not exist (404). */
  get(id: number): Promise<CalEventType | undefined>;
}

/** Cal.com refused or did not answer; `status` is the HTTP status when there was one. */
export class EventTypeReadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function normalize(raw: z.output<typeof calEventTypeSchema>): CalEventType {
  const hostNames = raw.hosts?.length ? raw.hosts.map((h) => h.username ?? h.name ?? `user-${h.userId}`) : (raw.users ?? []).map((u) => (typeof u === 'string' ? u : String((u as { username?: unknown })?.username ?? '')));
  return {
    id: raw.id,
    slug: raw.slug,
    title: raw.title || raw.slug,
    lengthInMinutes: raw.lengthInMinutes,
    hidden: raw.hidden === true,
    priceCents: raw.price && raw.price > 0 ? Math.round(raw.price) : undefined,
    hosts: hostNames.filter(Boolean),
    teamId: raw.teamId ?? undefined,
    locationTypes: (raw.locations ?? []).map((l) => l.type),
    bookingFields: (raw.bookingFields ?? []).map((f) => ({
      slug: f.slug ?? f.name ?? f.type,
      type: f.type,
      // Default fields carry `required` as an object in the OpenAPI document; only `true` counts.
      required: f.required === true,
      hidden: f.hidden === true,
      isDefault: f.isDefault === true,
    })),
  };
}

/** Cal.com API v2 over HTTP (fetch), authenticated with the API key. */
export function calcomEventTypeSource(options: { baseUrl: string; apiKey: string; timeoutMs?: number }): EventTypeSource {
  const base = options.baseUrl.replace(/\/+$/, '').replace(/\/v2$/, '');
  async function get(path: string, versioned: boolean): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json', ...(versioned && { 'cal-api-version': EVENT_TYPES_VERSION }) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new EventTypeReadError(`Cal.com at ${base} did not answer GET ${path}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 401 || response.status === 403) throw new EventTypeReadError(`Cal.com refused CALCOM_API_KEY (${response.status}) for GET ${path}`, response.status);
    if (response.status !== 404 && (response.status < 200 || response.status > 299)) {
      const message = (body as { error?: { message?: string } })?.error?.message ?? text.slice(0, 200);
      throw new EventTypeReadError(`Cal.com answered ${response.status} for GET ${path}: ${message}`, response.status);
    }
    return { status: response.status, body };
  }
  const parseList = (body: unknown, path: string): CalEventType[] => {
    const parsed = z.looseObject({ data: z.array(z.unknown()) }).safeParse(body);
    if (!parsed.success) throw new EventTypeReadError(`Cal.com's answer to GET ${path} has no event type list (data[])`);
    return parsed.data.data.flatMap((item) => {
      const et = calEventTypeSchema.safeParse(item);
      return et.success ? [normalize(et.data)] : [];
    });
  };
  return {
    label: `Cal.com at ${base}`,
    async list(listOptions = {}) {
      const path = listOptions.teamId ? `/v2/teams/${listOptions.teamId}/event-types` : '/v2/event-types';
      const { status, body } = await get(path, !listOptions.teamId);
      if (status === 404) throw new EventTypeReadError(`Cal.com answered 404 for GET ${path}${listOptions.teamId ? ' (check --team)' : ''}`, 404);
      return parseList(body, path);
    },
    async get(id) {
      const path = `/v2/event-types/${id}`;
      const { status, body } = await get(path, true);
      const data = (body as { data?: unknown })?.data;
      if (status === 404 || data === null || data === undefined) return undefined;
      const et = calEventTypeSchema.safeParse(data);
      if (!et.success) throw new EventTypeReadError(`Cal.com's answer to GET ${path} is not an event type: ${z.prettifyError(et.error)}`);
      return normalize(et.data);
    },
  };
}

/** Cal.com's default booking form: name and email required, the rest optional. */
export const DEFAULT_BOOKING_FIELDS: BookingField[] = [
  { slug: 'name', type: 'name', required: true, hidden: false, isDefault: true },
  { slug: 'email', type: 'email', required: true, hidden: false, isDefault: true },
  { slug: 'location', type: 'radioInput', required: false, hidden: false, isDefault: true },
  { slug: 'title', type: 'text', required: false, hidden: true, isDefault: true },
  { slug: 'notes', type: 'textarea', required: false, hidden: false, isDefault: true },
  { slug: 'guests', type: 'multiemail', required: false, hidden: false, isDefault: true },
  { slug: 'rescheduleReason', type: 'textarea', required: false, hidden: false, isDefault: true },
];

/** The built-in simulator's event types, read from its seed without starting it. */
export function simulatorEventTypeSource(seed: { eventTypes?: EventTypeInput[]; hosts?: HostInput[] }): EventTypeSource {
  const hosts = new Map((seed.hosts ?? []).map((h) => [h.id, h.username ?? h.name ?? `host${h.id}`]));
  const all = (seed.eventTypes ?? []).map((et): CalEventType => {
    // Event types of a newer simulator may carry their own booking form.
    const fields = (et as { bookingFields?: unknown }).bookingFields;
    return {
      id: et.id,
      slug: et.slug,
      title: et.title ?? et.slug,
      lengthInMinutes: et.lengthInMinutes,
      hidden: false,
      priceCents: undefined,
      hosts: [hosts.get(et.hostId ?? 1) ?? `host${et.hostId ?? 1}`],
      teamId: et.teamId,
      locationTypes: [],
      bookingFields: Array.isArray(fields) ? normalize(calEventTypeSchema.parse({ ...et, bookingFields: fields })).bookingFields : DEFAULT_BOOKING_FIELDS,
    };
  });
  return {
    label: 'the built-in Cal.com simulator',
    list: async (options = {}) => all.filter((et) => options.teamId === undefined || et.teamId === options.teamId),
    get: async (id) => all.find((et) => et.id === id),
  };
}
