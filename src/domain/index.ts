// Public surface of the domain helpers: German (and English) date/time parsing, public holidays,
// speech formatting, input cleaning.
export {
  parseGermanDateTime, localToInstant, DEFAULT_ZONE, DEFAULT_BUSINESS_HOURS,
  type BusinessHours, type DayPart, type ParseWhenOptions, type TimeWindow, type WhenErrorCode,
  type WhenInput, type WhenOk, type WhenResult,
} from './german-date.ts';
export { speakDate, speakSlot, speakTime, type SpeakOptions } from './german-speak.ts';
export { publicHoliday, isKnownRegion, DEFAULT_REGION, type HolidayRegion } from './holidays.ts';
export {
  cleanEmail, cleanName, cleanPhone, placeholderEmail, INPUT_MESSAGES,
  type Cleaned, type CleanedEmail, type EmailOptions, type InputErrorCode, type NameOptions, type PhoneOptions,
} from './input.ts';
export { WHEN_MESSAGES, type Failure } from './result.ts';
