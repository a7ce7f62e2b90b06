import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { bundleExpressions } from '../../src/metrics/referenced.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const grafana = join(root, 'grafana');
const prometheusDir = join(grafana, 'prometheus');
const alertingDir = join(grafana, 'provisioning', 'alerting');
const dashboardFile = join(grafana, 'dashboards', 'booking-runtime.json');

// ── helpers ────────────────────────────────────────────────────────────────

function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail('promtool not found on PATH: install the Debian package "prometheus" (apt-get install -y prometheus), which ships /usr/bin/promtool');
  }
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, `promtool ${args.join(' ')} failed:\n${output}`);
  return output;
}

async function yamlFile(path: string): Promise<any> {
  return parseYaml(await readFile(path, 'utf8'));
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Splits "(<query>) rest" at the parenthesis that closes the first one (string literals skipped). */
function leadingGroup(expr: string): { query: string; rest: string } {
  const s = squash(expr);
  assert.equal(s[0], '(', `expr must start with "(": ${s}`);
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      i = s.indexOf('"', i + 1);
      assert.ok(i > 0, `unterminated string in ${s}`);
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { query: s.slice(0, i + 1), rest: s.slice(i + 1).trim() };
  }
  assert.fail(`unbalanced parentheses in ${s}`);
}

interface RuleShape {
  name: string;
  query: string;
  op: string;
  threshold: number;
  guard: string;
  for: string;
  severity: string;
  summary: string;
}

async function prometheusRules(): Promise<RuleShape[]> {
  const doc = await yamlFile(join(prometheusDir, 'alerts.yml'));
  return doc.groups.flatMap((g: any) =>
    g.rules.map((r: any): RuleShape => {
      const { query, rest } = leadingGroup(r.expr);
      const m = /^(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*(.*)$/.exec(rest);
      assert.ok(m, `${r.alert}: expected "(<query>) <op> <threshold> [and …]", got ${squash(r.expr)}`);
      return {
        name: r.alert, query, op: m[1] as string, threshold: Number(m[2]), guard: m[3] as string,
        for: r.for, severity: r.labels?.severity, summary: r.annotations?.summary,
      };
    }),
  );
}

const GRAFANA_OPS: Record<string, string> = { gt: '>', lt: '<' };

async function grafanaRules(): Promise<(RuleShape & { raw: any })[]> {
  const doc = await yamlFile(join(alertingDir, 'rules.yaml'));
  return doc.groups.flatMap((g: any) =>
    g.rules.map((r: any) => {
      const byRef = new Map<string, any>(r.data.map((d: any) => [d.refId, d]));
      const cond = byRef.get(r.condition);
      assert.ok(cond, `${r.title}: condition ${r.condition} is not one of its queries`);
      assert.equal(cond.model.type, 'threshold', `${r.title}: the condition is a threshold expression`);
      const source = byRef.get(cond.model.expression);
      assert.ok(source?.model?.expr, `${r.title}: the threshold reads a Prometheus query`);
      const evaluator = cond.model.conditions[0].evaluator;
      const { query, rest } = leadingGroup(source.model.expr);
      return {
        raw: r, name: r.title, query, op: GRAFANA_OPS[evaluator.type] ?? `unsupported ${evaluator.type}`,
        threshold: evaluator.params[0], guard: rest, for: r.for, severity: r.labels?.severity, summary: r.annotations?.summary,
      };
    }),
  );
}

// ── promtool ───────────────────────────────────────────────────────────────

test('promtool: alerts.yml is valid and prometheus.yml loads it', () => {
  assert.match(promtool('check', 'rules', 'grafana/prometheus/alerts.yml'), /SUCCESS: \d+ rules found/);
  assert.match(promtool('check', 'config', 'grafana/prometheus/prometheus.yml'), /is valid prometheus config file/);
});

test('promtool: alert unit tests pass (each rule fires, stays quiet, zero traffic stays quiet)', () => {
  assert.match(promtool('test', 'rules', 'grafana/prometheus/alerts.test.yml'), /SUCCESS/);
});

test('promtool: every alert rule has unit tests that expect it to fire and not to fire', async () => {
  const tests = (await yamlFile(join(prometheusDir, 'alerts.test.yml'))).tests as any[];
  const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const rule of await prometheusRules()) {
    const mine = cases.filter((c) => c.alertname === rule.name);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${rule.name} has a firing case`);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${rule.name} has a not-firing case`);
  }
});

test('promtool: the PromQL of the Grafana rules and the dashboard parses', async () => {
  const variables: Record<string, string> = { __rate_interval: '5m', __interval: '1m', __range: '1h', function: '.*' };
  const exprs = (await bundleExpressions(root)).filter(({ file }) => !file.includes('prometheus/'));
  assert.ok(exprs.length > 10, 'dashboard and Grafana rules hold queries');
  const rules = exprs
    .filter(({ expr }) => !/^\s*label_values\(/.test(expr))
    .map(({ file, expr }, i) => {
      const concrete = expr.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => {
        assert.ok(name in variables, `${file}: unknown variable $${name} in ${expr}`);
        return variables[name] as string;
      });
      return { record: `bundle_check_${i}`, expr: concrete };
    });
  const dir = await mkdtemp(join(tmpdir(), 'promql-'));
  try {
    const file = join(dir, 'bundle.rules.json'); // JSON is YAML
    await writeFile(file, JSON.stringify({ groups: [{ name: 'bundle', rules }] }));
    promtool('check', 'rules', file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ── Grafana files ──────────────────────────────────────────────────────────

test('dashboard JSON is a valid Grafana dashboard on the prometheus datasource', async () => {
  const dash = JSON.parse(await readFile(dashboardFile, 'utf8'));
  assert.equal(dash.uid, 'booking-runtime');
  assert.equal(typeof dash.title, 'string');
  assert.ok(dash.schemaVersion >= 36 && dash.schemaVersion <= 41, `schemaVersion ${dash.schemaVersion}`);
  assert.ok(Array.isArray(dash.panels) && dash.panels.length > 0);

  const ids = dash.panels.map((p: any) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const panel of dash.panels) {
    const { x, y, w, h } = panel.gridPos ?? {};
    assert.ok([x, y, w, h].every(Number.isInteger) && x + w <= 24, `panel ${panel.id} has a gridPos within 24 columns`);
    if (panel.type === 'row') continue;
    assert.deepEqual(panel.datasource, { type: 'prometheus', uid: 'prometheus' }, `panel "${panel.title}" datasource`);
    assert.ok(panel.targets?.length > 0, `panel "${panel.title}" has queries`);
    for (const t of panel.targets) {
      assert.equal(t.datasource?.uid, 'prometheus', `panel "${panel.title}" target ${t.refId}`);
      assert.ok(typeof t.expr === 'string' && t.expr.length > 0);
    }
  }
  for (const v of dash.templating?.list ?? []) assert.equal(v.datasource?.uid, 'prometheus', `variable ${v.name}`);

  const titles = dash.panels.map((p: any) => String(p.title).toLowerCase());
  const expected = [/booking success rate/, /retell function latency.*p50.*p95.*p99/, /cal\.com p95 per operation/, /cache hit rate/,
    /mailbox wait.*p95/, /actor job failures/, /orphaned bookings/, /conversion/];
  for (const re of expected) assert.ok(titles.some((t: string) => re.test(t)), `a panel titled like ${re}`);
  const conversion = JSON.stringify(dash.panels.filter((p: any) => /conversion/i.test(p.title)));
  assert.match(conversion, /calls_with_appointment_total.*\/.*retell_calls_total\{event=\\"ended\\"\}/);
});

test('provisioning files parse and point at each other', async () => {
  const ds = await yamlFile(join(grafana, 'provisioning', 'datasources', 'prometheus.yaml'));
  assert.equal(ds.apiVersion, 1);
  const prom = ds.datasources.find((d: any) => d.type === 'prometheus');
  assert.equal(prom.uid, 'prometheus');
  assert.equal(prom.url, '${PROMETHEUS_URL}');

  const dashboards = await yamlFile(join(grafana, 'provisioning', 'dashboards', 'dashboards.yaml'));
  assert.equal(dashboards.apiVersion, 1);
  assert.equal(dashboards.providers[0].type, 'file');
  assert.ok(dashboards.providers[0].options.path);

  const files = (await readdir(alertingDir)).filter((f) => /\.ya?ml$/.test(f));
  const docs = await Promise.all(files.map((f) => yamlFile(join(alertingDir, f))));
  for (const [i, doc] of docs.entries()) assert.equal(doc.apiVersion, 1, `${files[i]} has apiVersion: 1`);
  const contactPoints = docs.flatMap((d) => d.contactPoints ?? []);
  const policies = docs.flatMap((d) => d.policies ?? []);
  const groups = docs.flatMap((d) => d.groups ?? []);
  assert.ok(contactPoints.length > 0 && policies.length > 0 && groups.length > 0, 'rules, a contact point and a policy');
  const receivers = new Set(contactPoints.map((c: any) => c.name));
  const routed = (p: any): string[] => [p.receiver, ...(p.routes ?? []).flatMap(routed)].filter(Boolean);
  for (const name of policies.flatMap(routed)) assert.ok(receivers.has(name), `policy receiver ${name} is a provisioned contact point`);
  for (const r of contactPoints.flatMap((c: any) => c.receivers)) {
    assert.match(JSON.stringify(r.settings), /\$\{[A-Z_]+\}/, `contact point ${r.uid} is configured from the environment`);
  }
});

test('provisioning files use "$" only for ${ENV} references (Grafana would expand anything else)', async () => {
  const dirs = ['datasources', 'dashboards', 'alerting'].map((d) => join(grafana, 'provisioning', d));
  for (const dir of dirs) {
    for (const f of await readdir(dir)) {
      const text = (await readFile(join(dir, f), 'utf8')).replace(/^\s*#.*$/gm, '');
      const stray = text.replace(/\$\{[A-Z][A-Z0-9_]*\}/g, '').match(/.*\$.*/);
      assert.equal(stray, null, `${f}: ${stray?.[0]}`);
    }
  }
});

test('Grafana alert rules: prometheus datasource, zero traffic is OK, linked to dashboard panels', async () => {
  const dash = JSON.parse(await readFile(dashboardFile, 'utf8'));
  const panelIds = new Set(dash.panels.map((p: any) => String(p.id)));
  for (const rule of await grafanaRules()) {
    const r = rule.raw;
    assert.ok(r.uid && r.uid.length <= 40, `${r.title} has a uid`);
    for (const d of r.data) assert.ok(['prometheus', '__expr__'].includes(d.datasourceUid), `${r.title} ${d.refId} datasource`);
    assert.equal(r.noDataState, 'OK', `${r.title}: no traffic must not alert`);
    assert.equal(r.annotations.__dashboardUid__, dash.uid);
    assert.ok(panelIds.has(String(r.annotations.__panelId__)), `${r.title} links to an existing panel`);
  }
});

// ── Grafana ⇔ Prometheus ───────────────────────────────────────────────────

test('Grafana alert rules and Prometheus rules agree (query, threshold, guard, duration, severity)', async () => {
  const prom = await prometheusRules();
  const graf = await grafanaRules();
  assert.deepEqual(graf.map((r) => r.name).sort(), prom.map((r) => r.name).sort(), 'same rule names');
  for (const p of prom) {
    const g = graf.find((r) => r.name === p.name)!;
    assert.equal(g.query, p.query, `${p.name}: query`);
    assert.equal(g.op, p.op, `${p.name}: comparison`);
    assert.equal(g.threshold, p.threshold, `${p.name}: threshold`);
    assert.equal(g.guard, p.guard, `${p.name}: traffic guard`);
    assert.equal(g.for, p.for, `${p.name}: for`);
    assert.equal(g.severity, p.severity, `${p.name}: severity`);
    assert.equal(g.summary, p.summary, `${p.name}: summary`);
  }
});

test('the alerts DESIGN.md asks for exist with its thresholds', async () => {
  const prom = await prometheusRules();
  const byName = new Map(prom.map((r) => [r.name, r]));
  const expected: [string, string, number, string][] = [
    ['BookingSuccessRateLow', '<', 0.9, 'critical'],
    ['CalcomLatencyHigh', '>', 3, 'warning'],
    ['ActorJobFailureRateHigh', '>', 0.1, 'warning'],
    ['AvailabilityCacheHitRateLow', '<', 0.3, 'info'],
  ];
  for (const [name, op, threshold, severity] of expected) {
    const r = byName.get(name);
    assert.ok(r, `rule ${name}`);
    assert.deepEqual([r.op, r.threshold, r.severity], [op, threshold, severity], name);
  }
  const success = byName.get('BookingSuccessRateLow')!;
  assert.equal(success.for, '5m');
  assert.match(success.guard, /^and \(sum\(rate\(booking_commands_total\{command="book".*\[5m\]\)\)\) > 0$/, 'zero traffic guard');
  assert.match(byName.get('CalcomLatencyHigh')!.query, /histogram_quantile\(0\.95, .*calcom_request_duration_seconds_bucket/);
});
