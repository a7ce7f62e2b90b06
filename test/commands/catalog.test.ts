// `catalog import` and `catalog check` against the built-in simulator's salon and against a
// local stand-in for Cal.com's event-type endpoints (shapes of the published OpenAPI document).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCatalog } from '../../src/catalog/index.ts';
import { SAMPLE_CATALOG_FILE } from '../helpers/service.ts';
import { fakeApi, run } from './helpers.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbr-cmd-catalog-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const field = (slug: string, type: string, required: boolean, extra: Record<string, unknown> = {}) => ({ slug, type, required, hidden: false, isDefault: true, ...extra });
const DEFAULT_FIELDS = [field('name', 'name', true), field('email', 'email', true), field('notes', 'textarea', false), field('guests', 'multiemail', false)];

/** Cal.com's GET /v2/event-types/{id} data (EventTypeOutput_2024_06_14 / TeamEventTypeOutput). */
const EVENT_TYPES: Array<Record<string, unknown> & { id: number }> = [
  { id: 501, slug: 'herren-schnitt', title: 'Herrenschnitt', lengthInMinutes: 30, price: 2800, currency: 'EUR', ownerId: 7, users: ['anna'], hidden: false, locations: [], bookingFields: DEFAULT_FIELDS },
  {
    id: 502,
    slug: 'beratung',
    title: 'Beratung',
    lengthInMinutes: 15,
    price: 0,
    ownerId: 7,
    users: ['anna'],
    hidden: false,
    locations: [{ type: 'attendeePhone', public: true }],
    bookingFields: [...DEFAULT_FIELDS, field('location', 'radioInput', true), field('attendeePhoneNumber', 'phone', true, { isDefault: false, label: 'Telefon' })],
  },
  { id: 503, slug: 'intern', title: 'Intern', lengthInMinutes: 60, ownerId: 7, users: ['anna'], hidden: true, locations: [], bookingFields: DEFAULT_FIELDS },
];
const TEAM_EVENT_TYPES = [
  { id: 601, slug: 'faerben', title: 'Färben', lengthInMinutes: 90, teamId: 42, schedulingType: 'roundRobin', hosts: [{ userId: 7, name: 'Anna', username: 'anna' }, { userId: 8, name: 'Ben', username: 'ben' }], locations: [], bookingFields: [...DEFAULT_FIELDS, field('haartyp', 'select', true, { isDefault: false, label: 'Haartyp', options: ['fein', 'dick'] })] },
];

async function fakeCalcom() {
  return fakeApi((req) => {
    if (req.headers.authorization !== 'Bearer cal_test_key') return [401, { status: 'error', error: { code: 'UNAUTHORIZED', message: 'Invalid API Key' } }];
    if (req.url === '/v2/event-types') return req.headers['cal-api-version'] === '2024-06-14' ? [200, { status: 'success', data: EVENT_TYPES }] : [404, {}];
    if (req.url === '/v2/teams/42/event-types') return [200, { status: 'success', data: TEAM_EVENT_TYPES }];
    const m = /^\/v2\/event-types\/(\d+)$/.exec(req.url);
    const et = m && [...EVENT_TYPES, ...TEAM_EVENT_TYPES].find((e) => e.id === Number(m[1]));
    if (et && req.headers['cal-api-version'] === '2024-06-14') return [200, { status: 'success', data: et }];
    return [404, { status: 'error', error: { code: 'NOT_FOUND', message: `Event type with id=${m?.[1]} not found` } }];
  });
}

test('catalog import from the simulator writes a valid catalog for a new salon; check passes', async () => {
  const file = join(dir, 'new.json');
  assert.equal((await run(['import', '--company', 'salon-neu'])).code, 64, 'an unknown command is a usage error');
  const ok = await run(['catalog', 'import', '--company', 'salon-neu', '--name', 'Salon Neu', '--phone', '+493055566677', '--catalog', file]);
  assert.equal(ok.code, 0, ok.err);
  const catalog = parseCatalog(JSON.parse(readFileSync(file, 'utf8')));
  const company = catalog.companies[0]!;
  assert.equal(company.name, 'Salon Neu');
  assert.deepEqual(company.phoneNumbers, ['+493055566677']);
  assert.deepEqual(
    company.services.map((s) => [s.id, s.name, s.durationMinutes, s.eventTypeId, s.calendar]),
    [
      ['herrenhaarschnitt', 'Herrenhaarschnitt', 30, 1001, 'salon-demo'],
      ['damenhaarschnitt', 'Damenhaarschnitt', 60, 1002, 'salon-demo'],
      ['faerben', 'Färben', 90, 1003, 'salon-demo'],
    ],
  );
  assert.deepEqual(company.services[0]!.bookingFields, [
    { slug: 'name', type: 'name', required: true },
    { slug: 'email', type: 'email', required: true },
  ]);
  const check = await run(['catalog', 'check', '--catalog', file]);
  assert.equal(check.code, 0, check.out + check.err);
  assert.match(check.err, /^ok: 3 services/);
});

test('catalog import merges into the sample catalog: aliases, ids, calendars, prices and composites kept', async () => {
  const file = join(dir, 'sample.json');
  writeFileSync(file, readFileSync(SAMPLE_CATALOG_FILE));
  const before = parseCatalog(JSON.parse(readFileSync(file, 'utf8')));
  const merged = await run(['catalog', 'import', '--company', 'salon-schmidt', '--catalog', file]);
  assert.equal(merged.code, 0, merged.err);
  const after = parseCatalog(JSON.parse(readFileSync(file, 'utf8')));
  const [b, a] = [before.companies[0]!, after.companies[0]!];
  assert.equal(a.services.length, b.services.length, 'no duplicates: matched by event type id');
  for (const service of b.services) {
    const now = a.services.find((s) => s.id === service.id)!;
    assert.deepEqual(now.aliases, service.aliases, `${service.id} aliases kept`);
    assert.equal(now.calendar, service.calendar);
    assert.equal(now.priceCents, service.priceCents);
    assert.deepEqual(now.segments, service.segments);
  }
  assert.deepEqual(a.apiTokens, b.apiTokens, 'tokens untouched');
  assert.match(merged.err, /updated herrenhaarschnitt \(event type 1001\): booking fields updated/);
  const again = await run(['catalog', 'import', '--company', 'salon-schmidt', '--catalog', file]);
  assert.match(again.err, /unchanged herrenhaarschnitt \(event type 1001\)/);
});

test('catalog import from Cal.com (API v2): names, lengths, prices, hosts and booking fields; a rename keeps the old name as alias', async () => {
  const cal = await fakeCalcom();
  try {
    const env = { CALCOM_API_KEY: 'cal_test_key', CALCOM_BASE_URL: cal.url };
    const file = join(dir, 'calcom.json');
    const first = await run(['catalog', 'import', '--company', 'salon-cal', '--name', 'Salon Cal', '--catalog', file], env);
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /skipped event type 503 "Intern": hidden/);
    let company = parseCatalog(JSON.parse(readFileSync(file, 'utf8'))).companies[0]!;
    assert.deepEqual(
      company.services.map((s) => [s.id, s.name, s.durationMinutes, s.eventTypeId, s.calendar, s.priceCents]),
      [
        ['herren-schnitt', 'Herrenschnitt', 30, 501, 'anna', 2800],
        ['beratung', 'Beratung', 15, 502, 'anna', undefined],
      ],
    );
    assert.deepEqual(company.services[1]!.bookingFields, [
      { slug: 'name', type: 'name', required: true },
      { slug: 'email', type: 'email', required: true },
      { slug: 'location', type: 'radioInput', required: true },
      { slug: 'attendeePhoneNumber', type: 'phone', required: true },
    ]);
    assert.ok(cal.requests.every((r) => r.headers['cal-api-version'] === '2024-06-14' && r.headers.authorization === 'Bearer cal_test_key'));

    // Team event types: several hosts → the service gets its own calendar; an operator's alias survives a rename.
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.companies[0].services[0].aliases = ['Herren'];
    raw.companies[0].services[0].name = 'Haarschnitt Herren';
    writeFileSync(file, JSON.stringify(raw));
    const team = await run(['catalog', 'import', '--company', 'salon-cal', '--team', '42', '--catalog', file], env);
    assert.equal(team.code, 0, team.err);
    assert.match(team.err, /added faerben: "Färben", 90 min, event type 601, own calendar: 2 hosts \(anna, ben\)/);
    const again = await run(['catalog', 'import', '--company', 'salon-cal', '--event-type', '501', '--catalog', file], env);
    assert.equal(again.code, 0, again.err);
    company = parseCatalog(JSON.parse(readFileSync(file, 'utf8'))).companies[0]!;
    const herren = company.services.find((s) => s.eventTypeId === 501)!;
    assert.equal(herren.name, 'Herrenschnitt');
    assert.deepEqual(herren.aliases, ['Herren', 'Haarschnitt Herren']);
    assert.equal(company.services.find((s) => s.eventTypeId === 601)!.calendar, undefined);

    // check: the team event type asks a question nobody can answer on the phone
    const check = await run(['catalog', 'check', '--catalog', file], env);
    assert.equal(check.code, 1, check.out + check.err);
    assert.deepEqual(check.out.trim().split('\n'), ['salon-cal/faerben: event type 601 "haartyp" (select): required booking question the runtime cannot answer (make it optional in Cal.com)']);
  } finally {
    await cal.close();
  }
});

test('catalog check names each problem: missing event type, wrong length, unfillable location; exit 1', async () => {
  const cal = await fakeCalcom();
  try {
    const env = { CALCOM_API_KEY: 'cal_test_key', CALCOM_BASE_URL: cal.url };
    const file = join(dir, 'check.json');
    const noPhoneLocation = { ...EVENT_TYPES[1]!, id: 504, locations: [{ type: 'address', address: 'Hauptstr. 1', public: true }] };
    EVENT_TYPES.push(noPhoneLocation);
    writeFileSync(
      file,
      JSON.stringify({
        companies: [
          {
            id: 'salon-x',
            name: 'Salon X',
            services: [
              { id: 'schnitt', name: 'Schnitt', durationMinutes: 45, eventTypeId: 501 },
              { id: 'weg', name: 'Weg', durationMinutes: 30, eventTypeId: 999 },
              { id: 'beratung', name: 'Beratung', durationMinutes: 15, eventTypeId: 502 },
              { id: 'vor-ort', name: 'Vor Ort', durationMinutes: 15, eventTypeId: 504 },
            ],
          },
        ],
      }),
    );
    const check = await run(['catalog', 'check', '--catalog', file], env);
    assert.equal(check.code, 1);
    assert.deepEqual(check.out.trim().split('\n'), [
      'salon-x/schnitt: event type 501 is 30 min in Cal.com, durationMinutes says 45',
      `salon-x/weg: event type 999 does not exist in Cal.com at ${cal.url}`,
      'salon-x/vor-ort: event type 504 "location" (radioInput): required location the runtime can fill only as "attendee phone" (add that location in Cal.com or make it optional)',
    ]);
    assert.match(check.err, /3 problem\(s\)/);

    const badKey = await run(['catalog', 'check', '--catalog', file], { ...env, CALCOM_API_KEY: 'wrong' });
    assert.equal(badKey.code, 78);
    assert.match(badKey.err, /Cal.com refused CALCOM_API_KEY \(401\)/);
    const down = await run(['catalog', 'check', '--catalog', file], { ...env, CALCOM_BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 69);
    assert.match(down.err, /did not answer/);
    const noKey = await run(['catalog', 'import', '--company', 'x', '--from', 'calcom', '--catalog', file]);
    assert.equal(noKey.code, 78);
    assert.match(noKey.err, /^CALCOM_API_KEY: required/);
  } finally {
    await cal.close();
  }
});
