// Public holidays by region (date-holidays), the closed-day refusal of the parser, and the
// catalog's optional `holidays` field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { parseCatalog } from '../../src/catalog/schema.ts';
import { isKnownRegion, parseGermanDateTime, publicHoliday } from '../../src/domain/index.ts';
import { nowOf, runCorpus } from './corpus-helpers.ts';

test('publicHoliday names national holidays, with the default region DE', () => {
  assert.equal(publicHoliday('2026-12-25'), '1. Weihnachtstag');
  assert.equal(publicHoliday('2026-12-26', { country: 'DE' }), '2. Weihnachtstag');
  assert.equal(publicHoliday('2027-01-01'), 'Neujahr');
  assert.equal(publicHoliday('2026-04-03'), 'Karfreitag');
  assert.equal(publicHoliday('2026-04-06'), 'Ostermontag');
  assert.equal(publicHoliday('2026-05-14'), 'Christi Himmelfahrt');
  assert.equal(publicHoliday('2026-05-25'), 'Pfingstmontag');
  assert.equal(publicHoliday('2026-10-03'), 'Tag der Deutschen Einheit');
  assert.equal(publicHoliday('2026-05-01'), 'Maifeiertag');
});

test('days that are not days off by law are not holidays', () => {
  for (const day of ['2026-12-24', '2026-12-31', '2026-02-16', '2026-04-05', '2026-05-10', '2026-11-25']) {
    assert.equal(publicHoliday(day), undefined, day);
  }
});

test('state holidays depend on the state', () => {
  assert.equal(publicHoliday('2026-06-04', { country: 'DE', state: 'BY' }), 'Fronleichnam');
  assert.equal(publicHoliday('2026-06-04', { country: 'DE', state: 'BE' }), undefined);
  assert.equal(publicHoliday('2026-06-04'), undefined);
  assert.equal(publicHoliday('2026-03-08', { country: 'DE', state: 'BE' }), 'Internationaler Frauentag');
  assert.equal(publicHoliday('2026-10-31', { country: 'DE', state: 'SN' }), 'Reformationstag');
  assert.equal(publicHoliday('2026-11-18', { country: 'DE', state: 'SN' }), 'Buß- und Bettag');
  assert.equal(publicHoliday('2026-11-18', { country: 'DE', state: 'BY' }), undefined);
  assert.equal(publicHoliday('2026-01-06', { country: 'DE', state: 'BW' }), 'Heilige Drei Könige');
  assert.equal(publicHoliday('2026-11-01', { country: 'DE', state: 'NW' }), 'Allerheiligen');
});

test('unknown regions and malformed dates have no holidays and never throw', () => {
  assert.equal(publicHoliday('2026-12-25', { country: 'XX' }), undefined);
  assert.equal(publicHoliday('2026-12-25', { country: 'DE', state: 'ZZ' }), undefined);
  assert.equal(publicHoliday('25.12.2026'), undefined);
  assert.equal(publicHoliday(''), undefined);
  assert.equal(isKnownRegion({ country: 'DE' }), true);
  assert.equal(isKnownRegion({ country: 'DE', state: 'BY' }), true);
  assert.equal(isKnownRegion({ country: 'AT' }), true);
  assert.equal(isKnownRegion({ country: 'DE', state: 'ZZ' }), false);
  assert.equal(isKnownRegion({ country: 'XX' }), false);
});

// With a region the parser answers a public holiday as closed; without one it gives the day.
runCorpus('closed on holidays (DE/BY)', [
  ['tue', 'Karfreitag', null, '!closed_holiday'],
  ['tue', 'Ostermontag', 'um 10', '!closed_holiday'],
  ['tue', 'Fronleichnam', null, '!closed_holiday'],
  ['tue', 'Heiligabend', null, '2026-12-24'], // not a day off by law
  ['tue', 'Rosenmontag', null, '2026-02-16'],
  ['tue', '6.1.', null, '!closed_holiday'], // Heilige Drei Könige 2027 (2026's is past), a holiday in Bayern
  ['tue', '25.12.', null, '!closed_holiday'],
  ['tue', 'am Tag nach Ostern', null, '!closed_holiday'],
  ['tue', 'Ostermontag', null, '!closed_holiday'],
  ['nye', 'morgen', null, '!closed_holiday'],
  ['nye', 'tomorrow', null, '!closed_holiday'],
  ['nye', 'übermorgen', null, '2027-01-02'],
  ['nye', 'nächste Woche', null, '2027-01-04 W'], // a whole week is not refused for one holiday
  ['satEve', 'Pfingstmontag', null, '!closed_holiday'],
  ['satEve', 'am Wochenende', null, '2026-05-23 +2'],
  ['autumnEve', 'Allerheiligen', null, '!closed_holiday'],
  ['mon', 'Buß- und Bettag', null, '2026-11-18'],
], { region: { country: 'DE', state: 'BY' } });

runCorpus('closed on holidays (DE/BE)', [
  ['tue', 'Fronleichnam', null, '2026-06-04'],
  ['tue', 'Karfreitag', null, '!closed_holiday'],
  ['tue', '8. März', null, '!closed_holiday'],
], { region: { country: 'DE', state: 'BE' } });

runCorpus('no region: days as said', [
  ['tue', 'Karfreitag', null, '2026-04-03'],
  ['nye', 'morgen', null, '2027-01-01'],
]);

test('the closed-day sentence names the day and the holiday', () => {
  const r = parseGermanDateTime({ datum: 'morgen' }, { now: nowOf('nye'), region: { country: 'DE' } });
  assert.deepEqual(r, {
    ok: false,
    code: 'closed_holiday',
    message: 'Am Freitag, 1. Januar ist Neujahr, ein Feiertag – da haben wir geschlossen. Welcher andere Tag passt Ihnen?',
  });
});

const company = (extra: Record<string, unknown>) => ({
  companies: [{ id: 'salon', name: 'Salon', services: [{ id: 'cut', name: 'Schnitt', durationMinutes: 30, eventTypeId: 1 }], ...extra }],
});

test('catalog: holidays is optional, validated against date-holidays', () => {
  assert.equal(parseCatalog(company({})).companies[0]!.holidays, undefined);
  assert.deepEqual(parseCatalog(company({ holidays: { country: 'DE', state: 'BY' } })).companies[0]!.holidays, { country: 'DE', state: 'BY' });
  assert.deepEqual(parseCatalog(company({ holidays: {} })).companies[0]!.holidays, { country: 'DE' });
  assert.throws(() => parseCatalog(company({ holidays: { country: 'DE', state: 'XY' } })), /holidays/);
  assert.throws(() => parseCatalog(company({ holidays: { country: 'de' } })), /holidays\.country/);
  assert.throws(() => parseCatalog(company({ holidays: { country: 'DE', region: 'BY' } })), /holidays/);
});

test('a week that starts on a holiday is not refused', () => {
  const now = DateTime.fromISO('2026-04-01T09:00:00', { zone: 'Europe/Berlin' }); // Wednesday before Easter
  const week = parseGermanDateTime({ datum: 'nächste Woche' }, { now, region: { country: 'DE' } });
  assert.ok(week.ok && week.weekOnly && week.date === '2026-04-06'); // Ostermontag
  const monday = parseGermanDateTime({ datum: 'nächsten Montag' }, { now, region: { country: 'DE' } });
  assert.equal(monday.ok ? monday.date : monday.code, 'closed_holiday');
  const start = parseGermanDateTime({ datum: 'Anfang nächster Woche' }, { now, region: { country: 'DE' } });
  assert.ok(start.ok && start.date === '2026-04-06' && start.days === 2);
});
