// The /admin stats page: sign-in through a form (token only in an HttpOnly SameSite=Strict
// cookie, never in a URL), today's figures from signed Retell webhooks, a day switcher,
// company scoping by token, CSRF refusals — over HTTP and in a real browser (Debian's Chromium
// through playwright-core), which also writes screenshots to test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { chromium, type Browser } from 'playwright-core';
import {
  germanDate,
  mobile,
  OTHER_SALON_NUMBER,
  OTHER_SALON_TOKEN,
  request,
  SALON,
  startServiceHarness,
  twoCompanyCatalog,
  workdayAhead,
  ZONE,
  type ServiceHarness,
} from '../helpers/service.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const ADMIN_TOKEN = 'demo-admin-token';
const CUSTOMER_TOKEN = 'demo-customer-token';

let h: ServiceHarness;
const today = DateTime.now().setZone(ZONE).startOf('day');
const yesterday = today.minus({ days: 1 });
/** A moment earlier today (never in the future, never yesterday). */
const earlierToday = (fraction: number) => Math.round(today.toMillis() + (Date.now() - today.toMillis()) * fraction);

before(async () => {
  h = await startServiceHarness({ catalog: twoCompanyCatalog() });
  // Today at Salon Schmidt: one call that booked (90 s, 10 ct), one that did not (30 s, 20 ct).
  const booker = h.caller(mobile(901));
  const t1 = earlierToday(0.5);
  await booker.event('call_started', { start_timestamp: t1 });
  const booked = await booker.fn('book_appointment', { dienstleistung: 'Herrenhaarschnitt', datum: germanDate(workdayAhead(3)), uhrzeit: '10:00', name: 'Erika Muster' });
  assert.equal(booked.body.success, true, booked.body.message);
  await booker.event('call_ended', { start_timestamp: t1, end_timestamp: t1 + 90_000, duration_ms: 90_000, call_cost: { combined_cost: 10 } });
  const asker = h.caller(mobile(902));
  const t2 = earlierToday(0.8);
  await asker.event('call_started', { start_timestamp: t2 });
  await asker.event('call_ended', { start_timestamp: t2, end_timestamp: t2 + 30_000, duration_ms: 30_000, call_cost: { combined_cost: 20 } });
  // Yesterday: one call. Salon Weber today: one call (never on Schmidt's page).
  const y = yesterday.plus({ hours: 11 }).toMillis();
  await h.caller(mobile(903)).event('call_ended', { start_timestamp: y, end_timestamp: y + 60_000, duration_ms: 60_000, call_cost: { combined_cost: 5 } });
  await h.caller(mobile(904), { to: OTHER_SALON_NUMBER }).event('call_ended', { start_timestamp: t2, duration_ms: 45_000, call_cost: { combined_cost: 50 } });
  // What needs a person: a booking the sync job gave up on, and an orphan in Cal.com.
  const day = workdayAhead(4);
  await h.service.core.store.appointments.insert({
    companyId: SALON, serviceId: 'damenhaarschnitt', calendarKey: 'anna', eventTypeId: 1002, startUtc: day.set({ hour: 15 }).toMillis(), endUtc: day.set({ hour: 16 }).toMillis(),
    status: 'pending', origin: 'api', syncStatus: 'review', customerName: 'Prüf Fall',
  });
  await h.service.core.store.orphans.record('uid-orphan-1', SALON, 'cmd-1', 'save_failed', 'SQLITE_BUSY');
});
after(() => h?.stop());

/** A raw request with exactly these headers (fetch would add or drop some, e.g. Origin). */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers: { ...(body && { 'content-type': 'application/x-www-form-urlencoded' }), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const signIn = (token: string, headers: Record<string, string> = {}) => raw('POST', '/admin/login', { origin: h.url, ...headers }, new URLSearchParams({ token }).toString());
const cookieOf = (res: { headers: Record<string, string | string[] | undefined> }) => String((res.headers['set-cookie'] as string[])[0]).split(';')[0]!;
const figure = (html: string, name: string) => new RegExp(`data-figure="${name}"><span class="muted">[^<]*</span><b>([^<]*)</b>`).exec(html)?.[1];

test('signing in sets an HttpOnly SameSite=Strict cookie and redirects; the token never appears in a URL', async () => {
  const form = await raw('GET', '/admin', {});
  assert.equal(form.status, 200);
  assert.match(form.text, /<form class="login" method="post" action="\/admin\/login">/);
  assert.match(String(form.headers['content-security-policy']), /default-src 'none'/);
  assert.equal(form.headers['cache-control'], 'no-store');

  const ok = await signIn(ADMIN_TOKEN);
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.location, '/admin');
  const cookie = String((ok.headers['set-cookie'] as string[])[0]);
  assert.match(cookie, /^vbr_admin=demo-admin-token; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  const page = await raw('GET', '/admin', { cookie: cookieOf(ok) });
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes(ADMIN_TOKEN), 'the page does not echo the token');
  assert.match(String(page.headers['server-timing']), /^admin;dur=\d/);
  assert.match(page.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);

  const wrong = await signIn('not-a-token');
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /Dieses Token ist ungültig/);
  assert.equal(wrong.headers['set-cookie'], undefined);
  const stale = await raw('GET', '/admin', { cookie: 'vbr_admin=revoked-token' });
  assert.match(stale.text, /class="login"/, 'an unknown cookie shows the sign-in form');
});

test('POSTs from another origin are refused (CSRF), sign-out clears the cookie', async () => {
  const evil = await signIn(ADMIN_TOKEN, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers['set-cookie'], undefined);
  const crossSite = await signIn(ADMIN_TOKEN, { origin: '', 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.status, 403);
  const out = await raw('POST', '/admin/logout', { origin: 'https://evil.example', cookie: `vbr_admin=${ADMIN_TOKEN}` });
  assert.equal(out.status, 403);
  const logout = await raw('POST', '/admin/logout', { origin: h.url, cookie: `vbr_admin=${ADMIN_TOKEN}` });
  assert.equal(logout.status, 303);
  assert.match(String((logout.headers['set-cookie'] as string[])[0]), /^vbr_admin=; Path=\/admin; Max-Age=0; HttpOnly; SameSite=Strict$/);
});

test("today's figures, cost for the token's role, days before, upcoming appointments and problems", async () => {
  const page = (await raw('GET', '/admin', { cookie: `vbr_admin=${CUSTOMER_TOKEN}` })).text;
  assert.match(page, /<h1>Salon Schmidt<\/h1>/);
  assert.equal(figure(page, 'calls'), '2');
  assert.equal(figure(page, 'conversion'), '50\u00a0%');
  assert.equal(figure(page, 'duration'), '1 min 00 s');
  assert.equal(figure(page, 'cost'), `${((30 * 1.8) / 100).toFixed(2).replace('.', ',')}\u00a0€`, 'customer markup 1.8');
  const admin = (await raw('GET', '/admin', { cookie: `vbr_admin=${ADMIN_TOKEN}` })).text;
  assert.equal(figure(admin, 'cost'), '0,30\u00a0€', 'admin sees the raw cost');
  assert.match(page, /<th>Letzte 7 Tage<\/th><td>3<\/td>/, 'yesterday counts in the last 7 days');
  assert.match(page, /Erika Muster/);
  assert.match(page, /class="ok">synchron/);
  assert.match(page, /<b>1<\/b> offene verwaiste Buchung/);
  assert.match(page, /Buchungen zur Prüfung/);
  assert.match(page, /Prüf Fall/);
  assert.match(page, /uid-orphan-1/);
  assert.match(page, /<svg viewBox="0 0 640 180"/);

  const before = (await raw('GET', `/admin?date=${yesterday.toISODate()}`, { cookie: `vbr_admin=${CUSTOMER_TOKEN}` })).text;
  assert.equal(figure(before, 'calls'), '1');
  const bad = (await raw('GET', '/admin?date=2026-02-30', { cookie: `vbr_admin=${CUSTOMER_TOKEN}` })).text;
  assert.equal(figure(bad, 'calls'), '2', 'an impossible date shows today');
});

test("another company's token sees its own salon only", async () => {
  const weber = (await raw('GET', '/admin', { cookie: `vbr_admin=${OTHER_SALON_TOKEN}` })).text;
  assert.match(weber, /<h1>Salon Weber<\/h1>/);
  assert.equal(figure(weber, 'calls'), '1');
  assert.ok(!weber.includes('Erika Muster') && !weber.includes('uid-orphan-1') && !weber.includes('Prüf Fall'), "none of Schmidt's data");
  assert.equal((await request(`${h.url}/admin?company=salon-schmidt`, { headers: { cookie: `vbr_admin=${OTHER_SALON_TOKEN}` } })).text.includes('Salon Schmidt'), false, 'the query never names a tenant');
});

test('in a real browser: sign in, see today, switch days, sign out, refused with a wrong token, another salon with its token; screenshots', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install -y chromium)` }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'de-DE' });
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (r) => visited.push(r.url()));

    await page.goto(`${h.url}/admin`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('main header h1');
    assert.equal(page.url(), `${h.url}/admin`);
    assert.equal(await page.textContent('h1'), 'Salon Schmidt');
    assert.equal(await page.textContent('[data-figure=calls] b'), '2');
    assert.equal(await page.textContent('[data-figure=conversion] b'), '50\u00a0%');
    assert.match((await page.textContent('#tag'))!, /\(heute\)/);
    const cookies = await context.cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path]), [['vbr_admin', true, 'Strict', '/admin']]);
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling on a phone (page is ${width}px wide)`);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-phone.png'), fullPage: true });

    await Promise.all([page.waitForURL(/date=/), page.click('a[rel=prev]')]);
    assert.equal(new URL(page.url()).searchParams.get('date'), yesterday.toISODate());
    assert.equal(await page.textContent('[data-figure=calls] b'), '1');
    await page.fill('input[name=date]', today.toISODate()!);
    await Promise.all([page.waitForURL(new RegExp(`date=${today.toISODate()}`)), page.click('nav.days button')]);
    assert.equal(await page.textContent('[data-figure=calls] b'), '2');
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'admin-desktop.png'), fullPage: true });

    await page.click('text=Abmelden');
    await page.waitForSelector('#token');
    assert.equal(await page.locator('#token').count(), 1, 'signed out: the form again');
    assert.deepEqual(await context.cookies(), []);

    await page.fill('#token', 'weber-falsch');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    assert.match((await page.textContent('[role=alert]'))!, /ungültig/);
    await page.fill('#token', OTHER_SALON_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('main header h1');
    assert.equal(await page.textContent('h1'), 'Salon Weber');
    assert.equal(await page.textContent('[data-figure=calls] b'), '1');
    assert.ok(!(await page.content()).includes('Erika Muster'));
    for (const url of visited) assert.ok(!url.includes(ADMIN_TOKEN) && !url.includes(OTHER_SALON_TOKEN), `token in a URL: ${url}`);
    assert.ok(visited.every((url) => url.startsWith(h.url)), 'no request leaves the service (no CDN)');
  } finally {
    await browser?.close();
  }
});
