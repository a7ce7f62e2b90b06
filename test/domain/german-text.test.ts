// Tokenizer and number words: the small layer every rule relies on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCardinal, parseOrdinal, tokenize } from '../../src/domain/german-text.ts';

const tokens: [string, string[]][] = [
  ['Nächsten Dienstag, nachmittags!', ['naechsten', 'dienstag', ',', 'nachmittags']],
  ['am 22.11. um 10:30 Uhr.', ['am', '22.11.', 'um', '10:30', 'uhr']],
  ['Dienstagnachmittag', ['dienstag', 'nachmittag']],
  ['Montag-Abend', ['montag', 'abend']],
  ['10uhr30', ['10', 'uhr', '30']],
  ['2025-11-22T10:30:00+01:00', ['2025-11-22t10:30:00+01:00']],
  ['zehn Uhr dreißig', ['zehn', 'uhr', 'dreissig']],
  ['Übermorgen FRÜH', ['uebermorgen', 'frueh']],
  ['10-12 Uhr', ['10', 'bis', '12', 'uhr']],
  ['2025-11-22 10:00 – 11:30', ['2025-11-22', '10:00', 'bis', '11:30']],
  ['  ', []],
];
for (const [input, expected] of tokens) {
  test(`tokenize ${JSON.stringify(input)}`, () => assert.deepEqual(tokenize(input), expected));
}

const cardinals: [string, boolean, number | null][] = [
  ['10', false, 10], ['zehn', false, 10], ['zwoelf', false, 12], ['zwo', false, 2],
  ['fuenfundzwanzig', false, 25], ['einundzwanzig', false, 21], ['dreissig', false, 30],
  ['ein', false, null], ['ein', true, 1], ['eins', false, 1], ['uhr', false, null], ['123', false, null],
];
for (const [tok, allowEin, expected] of cardinals) {
  test(`parseCardinal ${tok}${allowEin ? ' (ein allowed)' : ''}`, () => assert.equal(parseCardinal(tok, allowEin), expected));
}

const ordinals: [string, number | null][] = [
  ['3.', 3], ['31.', 31], ['32.', null], ['3ten', 3], ['dritten', 3], ['erster', 1], ['siebten', 7],
  ['achte', 8], ['zwanzigsten', 20], ['einunddreissigsten', 31], ['zweiunddreissigsten', null], ['dienstag', null],
];
for (const [tok, expected] of ordinals) {
  test(`parseOrdinal ${tok}`, () => assert.equal(parseOrdinal(tok), expected));
}
