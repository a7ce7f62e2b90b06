// Cleaning of phone numbers, e-mail addresses and names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanEmail, cleanName, cleanPhone, INPUT_MESSAGES, placeholderEmail } from '../../src/domain/input.ts';

const bad = <C extends keyof typeof INPUT_MESSAGES>(code: C) => ({ ok: false, code, message: INPUT_MESSAGES[code] });

const phones: [unknown, unknown][] = [
  ['0171 1234567', { ok: true, value: '+491711234567' }],
  ['+49 171 1234567', { ok: true, value: '+491711234567' }],
  ['0049 171 1234567', { ok: true, value: '+491711234567' }],
  ['(0171) 123-4567', { ok: true, value: '+491711234567' }],
  ['+49 (0)171 1234567', { ok: true, value: '+491711234567' }],
  ['030 12345678', { ok: true, value: '+493012345678' }],
  ['+43 664 1234567', { ok: true, value: '+436641234567' }],
  ['null eins sieben eins eins zwei drei vier fünf sechs sieben', { ok: true, value: '+491711234567' }],
  ['Meine Nummer ist 0171 1234567', { ok: true, value: '+491711234567' }],
  [1711234567, { ok: true, value: '+491711234567' }],
  ['12', bad('invalid_phone')],
  ['110', bad('invalid_phone')],
  ['0171 12', bad('invalid_phone')],
  ['keine Ahnung', bad('invalid_phone')],
  ['', bad('invalid_phone')],
  [null, bad('invalid_phone')],
  [{ number: '0171 1234567' }, bad('invalid_phone')],
];
for (const [raw, expected] of phones) {
  test(`cleanPhone ${JSON.stringify(raw)}`, () => assert.deepEqual(cleanPhone(raw), expected));
}

test('cleanPhone uses the given default country', () => {
  assert.deepEqual(cleanPhone('0664 1234567', { defaultCountry: 'AT' }), { ok: true, value: '+436641234567' });
});

const placeholder = { domain: 'Salon-Beispiel.de', digits: '+49 171 1234567' };
const emails: [unknown, object, unknown][] = [
  ['Max.Mustermann@Example.de ', {}, { ok: true, value: 'max.mustermann@example.de', placeholder: false }],
  ['max punkt mustermann at gmail punkt com', {}, { ok: true, value: 'max.mustermann@gmail.com', placeholder: false }],
  ['anna unterstrich b (at) web punkt de', {}, { ok: true, value: 'anna_b@web.de', placeholder: false }],
  ['Anna Minus Lena ät gmx Punkt net', {}, { ok: true, value: 'anna-lena@gmx.net', placeholder: false }],
  ['max @ web.de', {}, { ok: true, value: 'max@web.de', placeholder: false }],
  ['not-an-email', {}, bad('invalid_email')],
  ['a@b', {}, bad('invalid_email')],
  ['', {}, bad('missing_email')],
  [undefined, {}, bad('missing_email')],
  ['keine', {}, bad('missing_email')],
  ['', { placeholder }, { ok: true, value: 'noreply+491711234567@salon-beispiel.de', placeholder: true }],
  ['Ich habe keine E-Mail', { placeholder }, { ok: true, value: 'noreply+491711234567@salon-beispiel.de', placeholder: true }],
  ['max at web', { placeholder }, bad('invalid_email')], // garbled: ask again rather than lose it
  ['max@web.de', { placeholder }, { ok: true, value: 'max@web.de', placeholder: false }],
];
for (const [raw, opts, expected] of emails) {
  test(`cleanEmail ${JSON.stringify(raw)} ${JSON.stringify(opts)}`, () => assert.deepEqual(cleanEmail(raw, opts), expected));
}

test('placeholderEmail keeps digits only and refuses a bad domain', () => {
  assert.equal(placeholderEmail('+49 (171) 123', 'salon.de'), 'noreply+49171123@salon.de');
  assert.equal(placeholderEmail('', 'salon.de'), 'noreply@salon.de');
  assert.throws(() => placeholderEmail('1', 'not a domain'), /placeholder e-mail domain/);
});

const names: [unknown, object, unknown][] = [
  ['  Max   Mustermann ', {}, { ok: true, value: 'Max Mustermann' }],
  ['<b>Anna</b> Müller', {}, { ok: true, value: 'Anna Müller' }],
  ['Jo\u200Bhn\u0000 Doe', {}, { ok: true, value: 'John Doe' }],
  ['Mu\u0308ller', {}, { ok: true, value: 'Müller' }],
  ["O'Neill", {}, { ok: true, value: "O'Neill" }],
  ['Hans-Peter Müller-Lüdenscheidt', {}, { ok: true, value: 'Hans-Peter Müller-Lüdenscheidt' }],
  ['Max\n\tMustermann', {}, { ok: true, value: 'Max Mustermann' }],
  ['"Anna" {Meier}', {}, { ok: true, value: 'Anna Meier' }],
  ['Anna &amp; Tom', {}, { ok: true, value: 'Anna Tom' }],
  ['...Anna,', {}, { ok: true, value: 'Anna' }],
  ['Maximilian Alexander Mustermann', { maxLength: 25 }, { ok: true, value: 'Maximilian Alexander' }],
  ['A'.repeat(150), {}, { ok: true, value: 'A'.repeat(100) }],
  ['<script>alert(1)</script>', {}, bad('invalid_name')],
  ['12345', {}, bad('invalid_name')],
  ['   ', {}, bad('invalid_name')],
  [42, {}, bad('invalid_name')],
];
for (const [raw, opts, expected] of names) {
  test(`cleanName ${JSON.stringify(raw).slice(0, 40)} ${JSON.stringify(opts)}`, () => assert.deepEqual(cleanName(raw, opts), expected));
}
