// Phrases through the whole front door: English as README promises (chrono-node's English parser
// behind the same readings), and public holidays of the salon's region answered as closed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import { at, mobile, startServiceHarness, workdayAhead, ZONE, type ServiceHarness } from '../helpers/service.ts';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness();
});
after(() => h?.stop());

const row = (id: number) => h.db.prepare('SELECT start_utc FROM appointments WHERE id = ?').get(id) as { start_utc: number };

test('English dates and times book the day and hour they name', async () => {
  const day = workdayAhead(3);
  const english = day.setLocale('en').toFormat('MMMM d'); // e.g. "December 4"
  const res = await h.caller(mobile(971)).fn('book_appointment', { service: 'Herrenhaarschnitt', date: english, time: '2 pm', name: 'Jane Doe' });
  assert.equal(res.body.success, true, res.body.message);
  assert.equal(row(res.body.appointment_id).start_utc, at(day, '14:00'));

  const tomorrow = DateTime.now().setZone(ZONE).plus({ days: 1 }).toISODate();
  const check = await h.caller(mobile(972)).fn('check_availability', { service: 'Herrenhaarschnitt', date: 'tomorrow' });
  assert.notEqual(check.body.error, 'unparseable_date', check.body.message);
  for (const slot of check.body.free_slots ?? []) assert.equal(DateTime.fromISO(slot.start, { zone: ZONE }).toISODate(), tomorrow);
});

test('a public holiday of the salon’s region is answered as closed', async () => {
  const newYear = DateTime.now().setZone(ZONE).plus({ years: 1 }).startOf('year');
  const res = await h.caller(mobile(973)).fn('check_availability', { dienstleistung: 'Herrenhaarschnitt', datum: newYear.toFormat('dd.MM.yyyy') });
  assert.equal(res.body.success, false);
  assert.equal(res.body.error, 'closed_holiday');
  assert.match(res.body.message, /Neujahr/);
});
