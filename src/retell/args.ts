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
  appointmentId: ['terminid', 'appointmentid', 'bookingid', 'termin'],
  newDate: ['neuesdatum', 'newdate', 'neuertag'],
  newTime: ['neueuhrzeit', 'newtime', 'neuezeit'],
} as const;

export type ArgField = keyof typeof FIELDS;
export type NormalizedArgs = Partial<Record<ArgField, string>>;

const squash = (key: string) => key.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/[^a-z0-9]/g, '');

/** Picks the fields we know out of free-form args; values become trimmed strings. */
export function normalizeArgs(args: Record<string, unknown>): NormalizedArgs {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(args)) byKey.set(squash(key), value);
  const out: NormalizedArgs = {};
  for (const [field, keys] of Object.entries(FIELDS) as Array<[ArgField, readonly string[]]>) {
    for (const key of keys) {
      const value = byKey.get(key);
      if (value === undefined || value === null) continue;
      const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
      if (text) {
        out[field] = text.slice(0, 500);
        break;
      }
    }
  }
  return out;
}
