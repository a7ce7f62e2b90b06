/**
 * Function arguments arrive with German or English keys, in any case and spelling
 * (`Datum`, `datum`, `date`, `uhrzeit`, `time`, `dienstleistung`, `service_name` …).
 * Each field here lists the keys that mean it; the first one present wins.
 */
const FIELDS = {
  service: ['dienstleistung', 'service', 'leistung', 'servicename', 'behandlung'],
  date: ['datum', 'date', 'tag', 'day', 'wunschdatum'],
  time: ['uhrzeit', 'time', 'zeit', 'wunschzeit', 'startzeit'],
  name: ['name', 'kundenname', 'customername', 'vorname', 'fullname'],
  phone: ['telefon', 'telefonnummer', 'phone', 'phonenumber', 'handy', 'mobil', 'rufnummer'],
  email: ['email', 'emailadresse', 'mail'],
  appointmentId: ['terminid', 'appointmentid', 'bookingid', 'termin', 'terminnummer', 'referenz'],
  /** The day the existing appointment is on (cancel, reschedule): part of proving it is yours. */
  appointmentDate: ['termindatum', 'altesdatum', 'bisherigesdatum', 'olddate', 'appointmentdate', 'currentdate'],
  newDate: ['neuesdatum', 'newdate', 'neuertag'],
  newTime: ['neueuhrzeit', 'newtime', 'neuezeit'],
} as const;

export type ArgField = keyof typeof FIELDS;
export type NormalizedArgs = Partial<Record<ArgField, string>>;

/** Fields a caller must say themselves: a placeholder there is refused, never booked. */
const SAID_BY_CALLER: ReadonlySet<ArgField> = new Set(['service', 'date', 'time', 'name', 'appointmentId', 'appointmentDate', 'newDate', 'newTime']);

const squash = (key: string) => key.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/[^a-z0-9]/g, '');

/**
 * What LLM tool calls put into a field they know nothing about: `-1`, `null`, `undefined`,
 * `unknown`, `N/A`, `none`, `string` (the JSON-schema type name), empty or whitespace, and
 * German equivalents. Such a value means "not given".
 */
const PLACEHOLDER = /^(?:|-?\s*\d+|null|nil|none|undefined|unknown|unbekannt|n\/?a|na|string|keine?|keine angabe|nicht angegeben|not provided|not specified|tbd|\?+|-+|\.+|<[^>]*>|\{\{[^}]*\}\})$/i;

function isPlaceholder(value: unknown, field: ArgField): boolean {
  if (value === null) return false; // JSON null is simply absent
  if (typeof value === 'number') return field !== 'appointmentId' ? value < 0 : value <= 0 || !Number.isInteger(value);
  if (typeof value !== 'string') return false;
  const text = value.trim();
  // A bare number is a real value for ids and phones ("1030" can be a time); negative numbers never are.
  if (/^\d+$/.test(text)) return false;
  return PLACEHOLDER.test(text);
}

function byField(args: Record<string, unknown>): Map<ArgField, unknown> {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(args)) byKey.set(squash(key), value);
  const out = new Map<ArgField, unknown>();
  for (const [field, keys] of Object.entries(FIELDS) as Array<[ArgField, readonly string[]]>) {
    const key = keys.find((k) => byKey.get(k) !== undefined && byKey.get(k) !== null);
    if (key) out.set(field, byKey.get(key));
  }
  return out;
}

/** Picks the fields we know out of free-form args; values become trimmed strings; placeholders are dropped. */
export function normalizeArgs(args: Record<string, unknown>): NormalizedArgs {
  const out: NormalizedArgs = {};
  for (const [field, value] of byField(args)) {
    if (isPlaceholder(value, field)) continue;
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
    if (text) out[field] = text.slice(0, 500);
  }
  return out;
}

/** The caller-said fields whose value is a placeholder for "unknown" (refused with a question). */
export function placeholderArgs(args: Record<string, unknown>): ArgField[] {
  return [...byField(args)].filter(([field, value]) => SAID_BY_CALLER.has(field) && isPlaceholder(value, field)).map(([field]) => field);
}
