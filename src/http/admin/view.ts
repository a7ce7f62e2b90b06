// Server-rendered HTML of the /admin page: no framework, no script, no CDN — inline CSS and
// SVG bar charts, German labels, readable on a phone. Every value from data is escaped.
import { DateTime } from 'luxon';
import type { AdminOverview, AppointmentRow } from '../../admin/overview.ts';
import type { HourStats } from '../../stats/index.ts';
import type { DayTotals } from '../../stats/index.ts';

const esc = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
const percent = new Intl.NumberFormat('de-DE', { style: 'percent', maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('de-DE');
const ROLE_LABEL = { customer: 'Kunde', reseller: 'Reseller', admin: 'Administrator' } as const;
const SYNC_LABEL: Record<string, string> = { synced: 'synchron', pending: 'wird übertragen', review: 'zu prüfen' };
const STATUS_LABEL: Record<string, string> = { booked: 'gebucht', pending: 'in Buchung', cancelled: 'storniert', failed: 'fehlgeschlagen' };
const ORIGIN_LABEL: Record<string, string> = { voice: 'Telefon', api: 'API', admin: 'Verwaltung', calcom: 'Cal.com' };

export const costOf = (cents: number) => euro.format(cents / 100);

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f8}
main{max-width:64rem;margin:0 auto;padding:1rem}header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}.muted{color:#5b6573;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.6rem}
.card{background:#fff;border-radius:.6rem;padding:.7rem .8rem;box-shadow:0 1px 2px #0001}.card b{display:block;font-size:1.5rem}
nav.days{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.8rem 0}nav.days a,button,input{font:inherit}
nav.days a,button{padding:.35rem .7rem;border-radius:.4rem;border:1px solid #c7cdd5;background:#fff;color:#1d2430;text-decoration:none;cursor:pointer}
figure{margin:0}input{padding:.3rem .5rem;border:1px solid #c7cdd5;border-radius:.4rem}.chart{background:#fff;border-radius:.6rem;padding:.5rem;box-shadow:0 1px 2px #0001}
svg{width:100%;height:auto;display:block}.scroll{overflow-x:auto;background:#fff;border-radius:.6rem;box-shadow:0 1px 2px #0001}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e6e9ee;white-space:nowrap}
th{font-weight:600;color:#5b6573}.review{color:#9a3412;font-weight:600}.warn{background:#fff7ed;border-left:4px solid #ea580c;padding:.6rem .8rem;border-radius:.4rem}
.ok{color:#166534}form.login{background:#fff;max-width:24rem;margin:3rem auto;padding:1.2rem;border-radius:.6rem;box-shadow:0 1px 3px #0002}
form.login input{width:100%;margin:.4rem 0 .8rem}.error{color:#b91c1c}
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function loginPage(message?: string): string {
  return page(
    'Anmeldung – Anrufstatistik',
    `<form class="login" method="post" action="/admin/login">
<h1>Anrufstatistik</h1><p class="muted">Melden Sie sich mit dem API-Token Ihres Salons an.</p>
${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<label for="token">API-Token</label><input id="token" name="token" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">Anmelden</button></form>`,
  );
}

/** Bars of `values` (one per label), the `part` of each drawn darker (calls with an appointment). */
function barChart(title: string, bars: Array<{ label: string; value: number; part: number; tip: string }>, tickEvery: number): string {
  const width = 640;
  const height = 180;
  const top = 16;
  const bottom = 22;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = width / Math.max(1, bars.length);
  const bar = Math.max(2, step * 0.72);
  const y = (v: number) => top + (height - top - bottom) * (1 - v / max);
  const rects = bars
    .map((b, i) => {
      const x = i * step + (step - bar) / 2;
      const label = i % tickEvery === 0 ? `<text x="${(x + bar / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${esc(b.label)}</text>` : '';
      return `<g><title>${esc(b.tip)}</title><rect x="${x.toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(b.value)).toFixed(1)}" fill="#93c5fd"/>` +
        `<rect x="${x.toFixed(1)}" y="${y(b.part).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(b.part)).toFixed(1)}" fill="#1d4ed8"/>${label}</g>`;
    })
    .join('');
  return `<figure class="chart" aria-label="${esc(title)}"><svg viewBox="0 0 ${width} ${height}" role="img" font-size="11" fill="#5b6573">
<text x="0" y="11">max. ${integer.format(max)}</text><line x1="0" x2="${width}" y1="${y(0)}" y2="${y(0)}" stroke="#c7cdd5"/>${rects}</svg>
<figcaption class="muted">hell: alle Anrufe · dunkel: mit Termin</figcaption></figure>`;
}

const hourLabel = (h: HourStats) => `${String(h.hour).padStart(2, '0')}`;

/** "Fr., 04.12., 10:00" in the company's zone; one Intl formatter per zone (luxon per row was the page's main cost). */
const rowFormats = new Map<string, Intl.DateTimeFormat>();
function rowTime(ms: number, zone: string): string {
  let format = rowFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('de-DE', { timeZone: zone, weekday: 'short', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
    if (rowFormats.size < 100) rowFormats.set(zone, format);
  }
  return format.format(ms);
}

function appointmentTable(rows: AppointmentRow[], zone: string, empty: string, withError = false): string {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const when = (ms: number) => rowTime(ms, zone);
  const body = rows
    .map(
      (a) => `<tr><td>${esc(when(a.startUtc))}</td><td>${esc(a.serviceName)}</td><td>${esc(a.customerName ?? '–')}<br><span class="muted">${esc(a.customerPhone ?? '')}</span></td>
<td>${esc(ORIGIN_LABEL[a.origin] ?? a.origin)}</td><td>${esc(STATUS_LABEL[a.status] ?? a.status)}</td><td class="${a.syncStatus === 'review' ? 'review' : a.syncStatus === 'synced' ? 'ok' : ''}">${esc(SYNC_LABEL[a.syncStatus] ?? a.syncStatus)}</td>${withError ? `<td>${esc(a.syncError ?? '')}</td>` : ''}<td class="muted">#${a.id}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table><thead><tr><th>Termin</th><th>Dienstleistung</th><th>Kunde</th><th>Herkunft</th><th>Status</th><th>Cal.com</th>${withError ? '<th>Fehler</th>' : ''}<th>Nr.</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function dashboardPage(o: AdminOverview): string {
  const day = DateTime.fromISO(o.date, { zone: o.timeZone }).setLocale('de');
  const link = (date: DateTime, text: string, rel = '') => `<a href="/admin?date=${date.toISODate()}"${rel ? ` rel="${rel}"` : ''}>${text}</a>`;
  const d = o.day;
  const period = (label: string, p: AdminOverview['last7']) =>
    `<tr><th>${label}</th><td>${integer.format(p.calls)}</td><td>${percent.format(p.conversion)}</td><td>${duration(p.averageDurationSeconds)}</td><td>${costOf(p.costCents)}</td></tr>`;
  const problems =
    o.openOrphans || o.review.length
      ? `<div class="warn"><b>${integer.format(o.openOrphans)}</b> offene verwaiste Buchung(en) in Cal.com · <b>${integer.format(o.review.length)}</b> Buchung(en) zur Prüfung</div>`
      : '<p class="ok">Keine offenen Probleme.</p>';
  const orphanRows = o.orphans
    .map((x) => `<tr><td>${esc(rowTime(x.createdAt, o.timeZone))}</td><td>${esc(x.calcomUid)}</td><td>${esc(x.reason)}</td><td>${x.attempts}</td><td>${x.escalated ? 'eskaliert' : 'wird wiederholt'}</td><td>${esc(x.lastError ?? '')}</td></tr>`)
    .join('');
  return page(
    `Anrufstatistik – ${o.companyName}`,
    `<main><header><div><h1>${esc(o.companyName)}</h1><div class="muted">Anrufstatistik · Rolle: ${ROLE_LABEL[o.role]} · Zeitzone ${esc(o.timeZone)}</div></div>
<form method="post" action="/admin/logout"><button type="submit">Abmelden</button></form></header>
<nav class="days" aria-label="Tag wählen">${link(day.minus({ days: 1 }), '‹ Vortag', 'prev')}
<form method="get" action="/admin"><input type="date" name="date" value="${esc(o.date)}" aria-label="Datum"> <button type="submit">Anzeigen</button></form>
${link(day.plus({ days: 1 }), 'Folgetag ›', 'next')}${o.date === o.today ? '' : link(DateTime.fromISO(o.today), 'Heute')}</nav>
<h2 id="tag">${esc(day.toFormat('cccc, d. LLLL yyyy'))}${o.date === o.today ? ' (heute)' : ''}</h2>
<section class="cards" aria-label="Kennzahlen des Tages">
<div class="card" data-figure="calls"><span class="muted">Anrufe</span><b>${integer.format(d.totalCalls)}</b></div>
<div class="card" data-figure="conversion"><span class="muted">Mit Termin</span><b>${percent.format(d.conversion)}</b><span class="muted">${integer.format(d.callsWithAppointment)} von ${integer.format(d.totalCalls)}</span></div>
<div class="card" data-figure="duration"><span class="muted">Ø Dauer</span><b>${duration(d.averageDurationSeconds)}</b></div>
<div class="card" data-figure="cost"><span class="muted">Kosten (${ROLE_LABEL[o.role]})</span><b>${costOf(d.totalCostCents)}</b></div></section>
<h2>Anrufe pro Stunde</h2>${barChart('Anrufe pro Stunde', d.perHour.map((h) => ({ label: hourLabel(h), value: h.calls, part: h.withAppointment, tip: `${hourLabel(h)} Uhr: ${h.calls} Anrufe, ${h.withAppointment} mit Termin` })), 3)}
<h2>Zeitraum bis ${esc(day.toFormat('dd.MM.yyyy'))}</h2>
<div class="scroll"><table><thead><tr><th></th><th>Anrufe</th><th>Mit Termin</th><th>Ø Dauer</th><th>Kosten</th></tr></thead><tbody>
${period('Letzte 7 Tage', o.last7)}${period('Letzte 30 Tage', o.last30)}</tbody></table></div>
<h2>Anrufe pro Tag (30 Tage)</h2>${barChart('Anrufe pro Tag (30 Tage)', o.days.map((x: DayTotals) => ({ label: DateTime.fromISO(x.date).toFormat('dd.'), value: x.calls, part: x.withAppointment, tip: `${DateTime.fromISO(x.date).toFormat('dd.MM.')}: ${x.calls} Anrufe, ${x.withAppointment} mit Termin` })), 5)}
<h2>Offene Probleme</h2>${problems}
${o.orphans.length ? `<h2>Verwaiste Buchungen</h2><div class="scroll"><table><thead><tr><th>Seit</th><th>Cal.com-UID</th><th>Grund</th><th>Versuche</th><th>Stand</th><th>Letzter Fehler</th></tr></thead><tbody>${orphanRows}</tbody></table></div>` : ''}
${o.review.length ? `<h2>Buchungen zur Prüfung</h2>${appointmentTable(o.review, o.timeZone, '', true)}` : ''}
<h2>Anstehende Termine</h2>${appointmentTable(o.upcoming, o.timeZone, 'Keine anstehenden Termine.')}
<p class="muted">Stand: ${esc(DateTime.fromMillis(d.computedAt, { zone: o.timeZone }).setLocale('de').toFormat('dd.MM.yyyy HH:mm:ss'))}</p></main>`,
  );
}
