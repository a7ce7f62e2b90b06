// Public holidays and named days ("Karfreitag", "Heiligabend", "Muttertag") from the date-holidays
// library: its rule engine does the Easter and "2nd sunday in May" arithmetic, its data knows which
// German state keeps which holiday. Nothing here throws: an unknown region simply has no holidays.
import Holidays from 'date-holidays';

/** Where the business is: ISO country ("DE") and optionally its state ("BY", "BE", …). */
export interface HolidayRegion {
  country: string;
  state?: string;
}

export const DEFAULT_REGION: HolidayRegion = { country: 'DE' };

/**
 * Named days callers use, by key, with the date-holidays rule that dates them and the German name
 * we speak. Public or not does not matter here; that is `publicHoliday`'s job for the salon's region.
 */
export const NAMED_DAYS = {
  neujahr: { rule: '01-01', name: 'Neujahr' },
  dreikoenig: { rule: '01-06', name: 'Heilige Drei Könige' },
  valentinstag: { rule: '02-14', name: 'Valentinstag' },
  weiberfastnacht: { rule: 'easter -52', name: 'Weiberfastnacht' },
  rosenmontag: { rule: 'easter -48', name: 'Rosenmontag' },
  faschingsdienstag: { rule: 'easter -47', name: 'Faschingsdienstag' },
  aschermittwoch: { rule: 'easter -46', name: 'Aschermittwoch' },
  frauentag: { rule: '03-08', name: 'Internationaler Frauentag' },
  gruendonnerstag: { rule: 'easter -3', name: 'Gründonnerstag' },
  karfreitag: { rule: 'easter -2', name: 'Karfreitag' },
  karsamstag: { rule: 'easter -1', name: 'Karsamstag' },
  ostersonntag: { rule: 'easter', name: 'Ostersonntag' },
  ostermontag: { rule: 'easter 1', name: 'Ostermontag' },
  tagDerArbeit: { rule: '05-01', name: 'Tag der Arbeit' },
  muttertag: { rule: '2nd sunday in May', name: 'Muttertag' },
  himmelfahrt: { rule: 'easter 39', name: 'Christi Himmelfahrt' },
  pfingstsonntag: { rule: 'easter 49', name: 'Pfingstsonntag' },
  pfingstmontag: { rule: 'easter 50', name: 'Pfingstmontag' },
  fronleichnam: { rule: 'easter 60', name: 'Fronleichnam' },
  mariaeHimmelfahrt: { rule: '08-15', name: 'Mariä Himmelfahrt' },
  einheit: { rule: '10-03', name: 'Tag der Deutschen Einheit' },
  reformationstag: { rule: '10-31', name: 'Reformationstag' },
  allerheiligen: { rule: '11-01', name: 'Allerheiligen' },
  martinstag: { rule: '11-11', name: 'Sankt Martin' },
  bussUndBettag: { rule: 'wednesday before 11-23', name: 'Buß- und Bettag' },
  totensonntag: { rule: '5th sunday before 12-25', name: 'Totensonntag' },
  advent1: { rule: '4th sunday before 12-25', name: '1. Advent' },
  advent2: { rule: '3rd sunday before 12-25', name: '2. Advent' },
  advent3: { rule: '2nd sunday before 12-25', name: '3. Advent' },
  advent4: { rule: '1st sunday before 12-25', name: '4. Advent' },
  nikolaus: { rule: '12-06', name: 'Nikolaus' },
  heiligabend: { rule: '12-24', name: 'Heiligabend' },
  weihnachten1: { rule: '12-25', name: '1. Weihnachtstag' },
  weihnachten2: { rule: '12-26', name: '2. Weihnachtstag' },
  silvester: { rule: '12-31', name: 'Silvester' },
} as const;

export type NamedDayKey = keyof typeof NAMED_DAYS;

// One date-holidays instance without a country that carries only our named-day rules.
let namedCalendar: Holidays | undefined;
const namedByYear = new Map<number, Map<string, string>>();

/** "YYYY-MM-DD" of a named day in `year`, or undefined (never for the keys above). */
export function namedDayDate(key: NamedDayKey, year: number): string | undefined {
  let dates = namedByYear.get(year);
  if (!dates) {
    if (!namedCalendar) {
      namedCalendar = new Holidays();
      for (const [k, d] of Object.entries(NAMED_DAYS)) namedCalendar.setHoliday(d.rule, { name: { en: k }, type: 'observance' });
    }
    dates = new Map();
    for (const h of namedCalendar.getHolidays(year, 'en')) dates.set(h.name, h.date.slice(0, 10));
    if (namedByYear.size > 50) namedByYear.clear();
    namedByYear.set(year, dates);
  }
  return dates.get(key);
}

const regionCalendars = new Map<string, Map<number, Map<string, string>>>();

function regionInstance(region: HolidayRegion): Holidays | undefined {
  try {
    const hd = region.state
      ? new Holidays(region.country, region.state, { types: ['public'], languages: ['de'] })
      : new Holidays(region.country, { types: ['public'], languages: ['de'] });
    // date-holidays silently falls back to no data for an unknown country or state.
    return hd.getCountries()[region.country] && (!region.state || hd.getStates(region.country)?.[region.state]) ? hd : undefined;
  } catch {
    return undefined;
  }
}

/** True when date-holidays knows the country (and the state, if given) — for config validation. */
export function isKnownRegion(region: HolidayRegion): boolean {
  return regionInstance(region) !== undefined;
}

/**
 * The German name of the public holiday on local day `isoDate` ("YYYY-MM-DD") in `region`, or
 * undefined. Only days off by law count ("public"), so Heiligabend or Rosenmontag are not closed
 * days, Fronleichnam is one in Bayern but not in Berlin.
 */
export function publicHoliday(isoDate: string, region: HolidayRegion = DEFAULT_REGION): string | undefined {
  const m = /^(\d{4})-\d{2}-\d{2}$/.exec(isoDate);
  if (!m) return undefined;
  const key = `${region.country}/${region.state ?? ''}`;
  let years = regionCalendars.get(key);
  if (!years) {
    if (regionCalendars.size > 100) regionCalendars.clear();
    regionCalendars.set(key, (years = new Map()));
  }
  const year = Number(m[1]);
  let days = years.get(year);
  if (!days) {
    days = new Map();
    const hd = regionInstance(region);
    for (const h of hd ? hd.getHolidays(year, 'de') : []) if (h.type === 'public') days.set(h.date.slice(0, 10), h.name);
    if (years.size > 50) years.clear();
    years.set(year, days);
  }
  return days.get(isoDate);
}
