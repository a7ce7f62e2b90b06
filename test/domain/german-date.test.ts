// German date/time phrases against a fixed clock: Monday 2025-11-24 09:00 Europe/Berlin.
// Calendar: Mo 24, Di 25, Mi 26, Do 27, Fr 28, Sa 29, So 30 Nov; Mo 1 Dec, Di 2 Dec.
import { DateTime } from 'luxon';
import { at, day, err, runTable, win, type Row } from './when-helpers.ts';

const now = DateTime.fromISO('2025-11-24T09:00:00', { zone: 'Europe/Berlin' });

const dates: Row[] = [
  ['heute', null, day('2025-11-24')],
  ['morgen', null, day('2025-11-25')],
  ['übermorgen', null, day('2025-11-26')],
  ['Uebermorgen', null, day('2025-11-26')],
  ['Dienstag', null, day('2025-11-25')],
  ['am Dienstag', null, day('2025-11-25')],
  ['Montag', null, day('2025-12-01')], // today is Monday: a bare weekday means the next one
  ['am Montag', null, day('2025-12-01')],
  ['nächsten Dienstag', null, day('2025-11-25')],
  ['kommenden Freitag', null, day('2025-11-28')],
  ['nächsten Montag', null, day('2025-12-01')],
  ['diesen Freitag', null, day('2025-11-28')],
  ['diesen Montag', null, day('2025-11-24')],
  ['übernächsten Dienstag', null, day('2025-12-02')],
  ['Samstag', null, day('2025-11-29')],
  ['sonntags', null, day('2025-11-30')],
  ['Dienstag nächste Woche', null, day('2025-12-02')],
  ['nächste Woche Donnerstag', null, day('2025-12-04')],
  ['nächste Woche', null, day('2025-12-01', { weekOnly: true })],
  ['übernächste Woche', null, day('2025-12-08', { weekOnly: true })],
  ['diese Woche', null, day('2025-11-24', { weekOnly: true })],
  ['28.11.', null, day('2025-11-28')],
  ['28.11.2025', null, day('2025-11-28')],
  ['3.12.25', null, day('2025-12-03')],
  ['28.11', null, day('2025-11-28')], // no final dot: still a date in the datum field
  ['28. November', null, day('2025-11-28')],
  ['28. Nov', null, day('2025-11-28')],
  ['28. Nov.', null, day('2025-11-28')],
  ['am 3. Dezember', null, day('2025-12-03')],
  ['den 3. Dezember 2026', null, day('2026-12-03')],
  ['am dritten Dezember', null, day('2025-12-03')],
  ['einundzwanzigster Dezember', null, day('2025-12-21')],
  ['2025-11-28', null, day('2025-11-28')],
  ['am 28.', null, day('2025-11-28')],
  ['am 5.', null, day('2025-12-05')], // the 5th has passed this month
  ['am 31.', null, day('2025-12-31')], // November has no 31st
  ['1.10.', null, day('2026-10-01')], // long past this year → next year
  ['in 3 Tagen', null, day('2025-11-27')],
  ['in drei Tagen', null, day('2025-11-27')],
  ['in einer Woche', null, day('2025-12-01')],
  ['in zwei Wochen', null, day('2025-12-08')],
  ['heute in einer Woche', null, day('2025-12-01')],
  ['Dienstag, den 25.11.', null, day('2025-11-25')],
  ['Dienstag, 25. November 2025', null, day('2025-11-25')],
  ['Do., 27.11.', null, day('2025-11-27')],
  ['irgendwann nächste Woche', null, day('2025-12-01', { weekOnly: true })],
];

const times: Row[] = [
  ['morgen', '10 Uhr', at('2025-11-25', '10:00')],
  ['morgen', '10:30', at('2025-11-25', '10:30')],
  ['morgen', '10.30', at('2025-11-25', '10:30')],
  ['morgen', '10:30:00', at('2025-11-25', '10:30')],
  ['morgen', '15 Uhr 30', at('2025-11-25', '15:30')],
  ['morgen', 'halb elf', at('2025-11-25', '10:30')],
  ['morgen', 'Viertel nach zehn', at('2025-11-25', '10:15')],
  ['morgen', 'Viertel vor drei', at('2025-11-25', '14:45')],
  ['morgen', 'dreiviertel zehn', at('2025-11-25', '09:45')],
  ['morgen', 'drei viertel zehn', at('2025-11-25', '09:45')],
  ['morgen', 'viertel zehn', at('2025-11-25', '09:15')],
  ['morgen', 'um 3', at('2025-11-25', '15:00')],
  ['morgen', 'um drei', at('2025-11-25', '15:00')],
  ['morgen', 'um 7', at('2025-11-25', '19:00')], // 07:00 is before opening (08:00)
  ['morgen', 'um 8', at('2025-11-25', '08:00')],
  ['morgen', 'um 12', at('2025-11-25', '12:00')],
  ['morgen', 'um eins', at('2025-11-25', '13:00')],
  ['morgen', 'ein Uhr', at('2025-11-25', '13:00')],
  ['morgen', '07:30', at('2025-11-25', '07:30')], // leading zero: 24-hour notation, taken literally
  ['morgen', '19 Uhr', at('2025-11-25', '19:00')],
  ['morgen', 'zehn Uhr dreißig', at('2025-11-25', '10:30')],
  ['morgen', 'zehn dreißig', at('2025-11-25', '10:30')],
  ['morgen', 'elf Uhr', at('2025-11-25', '11:00')],
  ['morgen', 'zwanzig nach zehn', at('2025-11-25', '10:20')],
  ['morgen', 'fünf vor halb elf', at('2025-11-25', '10:25')],
  ['morgen', 'fünf nach halb elf', at('2025-11-25', '10:35')],
  ['morgen', 'fünf vor zwölf', at('2025-11-25', '11:55')],
  ['morgen', 'halb eins', at('2025-11-25', '12:30')],
  ['morgen', 'gegen 11', at('2025-11-25', '11:00')],
  ['morgen', '10 Uhr abends', at('2025-11-25', '22:00', { dayPart: 'abend' })],
  ['morgen', 'um 3 nachmittags', at('2025-11-25', '15:00', { dayPart: 'nachmittag' })],
  ['morgen', '9 Uhr morgens', at('2025-11-25', '09:00', { dayPart: 'frueh' })],
  ['morgen', '1 Uhr mittags', at('2025-11-25', '13:00', { dayPart: 'mittag' })],
  ['morgen', '12 Uhr mittags', at('2025-11-25', '12:00', { dayPart: 'mittag' })],
  ['morgen', '15 Uhr nachmittags', at('2025-11-25', '15:00', { dayPart: 'nachmittag' })],
  ['morgen', 'mittags', win('2025-11-25', '11:00', '14:00', { dayPart: 'mittag' })],
  ['morgen', 'nachmittags', win('2025-11-25', '13:00', '17:00', { dayPart: 'nachmittag' })],
  ['morgen', 'am Vormittag', win('2025-11-25', '08:00', '12:00', { dayPart: 'vormittag' })],
  ['morgen', 'abends', win('2025-11-25', '17:00', '20:00', { dayPart: 'abend' })], // clipped at closing
  ['morgen', 'früh', win('2025-11-25', '08:00', '10:00', { dayPart: 'frueh' })], // clipped at opening
  ['morgen', 'kurz nach zehn', win('2025-11-25', '10:00', '10:15')],
  ['morgen', 'kurz vor acht', win('2025-11-25', '07:45', '08:00')],
  ['morgen', 'kurz vor zwölf', win('2025-11-25', '11:45', '12:00')],
  ['morgen', 'ab 16 Uhr', win('2025-11-25', '16:00', '20:00')],
  ['morgen', 'bis 12', win('2025-11-25', '08:00', '12:00')],
  ['morgen', 'zwischen 10 und 12', win('2025-11-25', '10:00', '12:00')],
  ['morgen', 'zwischen 3 und 5', win('2025-11-25', '15:00', '17:00')],
  ['morgen', 'zwischen 11 und 1', win('2025-11-25', '11:00', '13:00')],
  ['morgen', 'von 14 bis 16 Uhr', win('2025-11-25', '14:00', '16:00')],
  ['morgen', 'um 10 bis 12', win('2025-11-25', '10:00', '12:00')],
  ['morgen', '10-12 Uhr', win('2025-11-25', '10:00', '12:00')],
  ['morgen', '10:00 – 12:30', win('2025-11-25', '10:00', '12:30')],
  // "spätestens um 12" lets a 12:00 start in (window ends are exclusive, hence 12:01); it was
  // 08:00–12:00 before issue 14, which refused exactly the hour the caller named.
  ['morgen', 'spätestens um 12', win('2025-11-25', '08:00', '12:01')],
  ['morgen', 'nachmittags ab 3', win('2025-11-25', '15:00', '17:00', { dayPart: 'nachmittag' })],
  ['morgen', 'ab 21 Uhr', win('2025-11-25', '21:00', '23:59')],
];

const combined: Row[] = [
  ['morgen um halb elf', null, at('2025-11-25', '10:30')],
  [null, 'morgen um halb elf', at('2025-11-25', '10:30')],
  ['nächsten Dienstag nachmittags', null, win('2025-11-25', '13:00', '17:00', { dayPart: 'nachmittag' })],
  ['morgen um 10', null, at('2025-11-25', '10:00')],
  ['morgen um 10.', null, at('2025-11-25', '10:00')], // sentence dot, not an ordinal day
  ['Freitag um 15 Uhr', null, at('2025-11-28', '15:00')],
  ['am 28.11. um 10:30', null, at('2025-11-28', '10:30')],
  ['heute Abend um 7', null, at('2025-11-24', '19:00', { dayPart: 'abend' })],
  ['morgen früh um 9', null, at('2025-11-25', '09:00', { dayPart: 'frueh' })],
  ['morgen früh', null, win('2025-11-25', '08:00', '10:00', { dayPart: 'frueh' })], // never "Friday"
  ['heute morgen', null, win('2025-11-24', '09:00', '10:00', { dayPart: 'frueh' })], // from now on
  ['Dienstag morgen', null, win('2025-11-25', '08:00', '10:00', { dayPart: 'frueh' })],
  ['Dienstagnachmittag', null, win('2025-11-25', '13:00', '17:00', { dayPart: 'nachmittag' })],
  ['Dienstag-Abend', null, win('2025-11-25', '17:00', '20:00', { dayPart: 'abend' })],
  ['übermorgen Mittag', null, win('2025-11-26', '11:00', '14:00', { dayPart: 'mittag' })],
  ['am dritten Dezember um 15 Uhr 30', null, at('2025-12-03', '15:30')],
  ['Dienstag, 25. November um 10 Uhr', null, at('2025-11-25', '10:00')],
  ['morgen, so gegen halb elf bitte', null, at('2025-11-25', '10:30')],
  ['nächste Woche nachmittags', null, win('2025-12-01', '13:00', '17:00', { weekOnly: true, dayPart: 'nachmittag' })],
  ['nächste Woche um 10', null, { ok: true, date: '2025-12-01', time: '10:00', weekOnly: true }], // no start: no day chosen
  ['morgen', 'morgen um 10', at('2025-11-25', '10:00')], // the same day twice is fine
  ['25.11.', 'Dienstag um 10', at('2025-11-25', '10:00')],
];

const iso: Row[] = [
  ['2025-11-25T10:30:00+01:00', null, at('2025-11-25', '10:30')],
  ['2025-11-25T09:30:00Z', null, at('2025-11-25', '10:30')], // converted to Berlin
  ['2025-11-25T10:30', null, at('2025-11-25', '10:30')], // no offset: Berlin wall time
  ['2025-11-25', '10:30', at('2025-11-25', '10:30')],
  ['2025-11-25 10:30', null, at('2025-11-25', '10:30')],
  [null, '2025-11-25T14:00:00+01:00', at('2025-11-25', '14:00')],
  ['2025-11-25', '08:00', at('2025-11-25', '08:00')],
];

const today: Row[] = [
  ['heute', 'um 8', err('time_in_past')],
  ['heute', '9 Uhr', err('time_in_past')], // exactly now is not bookable either
  ['heute', 'um 10', at('2025-11-24', '10:00')],
  ['heute', 'vormittags', win('2025-11-24', '09:00', '12:00', { dayPart: 'vormittag' })],
  ['heute', 'bis 9', err('time_in_past')],
  ['2025-11-24T08:30:00+01:00', null, err('time_in_past')],
];

const refusals: Row[] = [
  ['gestern', null, err('date_in_past')],
  ['22.11.', null, err('date_in_past')], // two days ago: a slip, not next year (pastGraceDays)
  ['22.11.2025', null, err('date_in_past')],
  ['22.11.25', null, err('date_in_past')],
  ['22. November', null, err('date_in_past')],
  ['2025-11-20', '10:00', err('date_in_past')],
  ['31.11.', null, err('invalid_date')],
  ['Mittwoch, 25.11.', null, err('weekday_mismatch', 'Der 25. November ist ein Dienstag, kein Mittwoch. Welchen Tag meinen Sie?')],
  ['blabla', null, err('unparseable_date')],
  // Was refused before issue 14; the weekend is now Saturday + Sunday, picked like "Samstag".
  ['Wochenende', null, day('2025-11-29', { days: 2 })],
  ['morgen oder übermorgen', null, err('unparseable_date')],
  ['morgen, am 3.12.', null, err('unparseable_date')], // two different days
  ['morgen', 'blub', err('unparseable_time')],
  ['morgen', '25 Uhr', err('unparseable_time')],
  ['morgen', '10:75', err('unparseable_time')],
  ['morgen', '10 Uhr, 11 Uhr', err('unparseable_time')],
  ['morgen', 'vormittags und abends', err('unparseable_time')],
  [null, 'um 10', err('missing_date')],
  ['', '', err('missing_date')],
  [null, null, err('missing_date')],
  ['am Morgen', null, err('missing_date')], // "in the morning", no day
];

runTable('dates', dates, { now });
runTable('times', times, { now });
runTable('combined', combined, { now });
runTable('iso', iso, { now });
runTable('today', today, { now });
runTable('refusals', refusals, { now });

// Business hours steer the am/pm choice and clip day-part windows.
runTable('hours 10–22', [
  ['morgen', 'um 9', at('2025-11-25', '21:00')],
  ['morgen', 'um 10', at('2025-11-25', '10:00')],
  ['morgen', 'abends', win('2025-11-25', '17:00', '22:00', { dayPart: 'abend' })],
  ['morgen', 'früh', win('2025-11-25', '06:00', '10:00', { dayPart: 'frueh' })], // nothing left after clipping
], { now, businessHours: { open: '10:00', close: '22:00' } });

runTable('hours 06–22 (both readings plausible)', [
  ['morgen', 'um 7', at('2025-11-25', '07:00')],
  ['morgen', 'um 3', at('2025-11-25', '15:00')],
], { now, businessHours: { open: '06:00', close: '22:00' } });

runTable('clock as epoch ms', [
  ['morgen um 10', null, at('2025-11-25', '10:00')],
], { now: now.toMillis() });

runTable('other zone', [
  // 2025-11-23 09:00 Berlin is 03:00 in New York: "morgen" is the 24th there, 10:00 at -05:00.
  ['morgen um 10', null, at('2025-11-24', '10:00', {}, '-05:00')],
], { now: DateTime.fromISO('2025-11-23T09:00:00', { zone: 'Europe/Berlin' }), zone: 'America/New_York' });
