/**
 * Which metric names the grafana/ bundle (dashboards, Grafana alert rules, Prometheus rules) queries,
 * so tests can check that the service really exposes each of them — against `createMetrics()`'s
 * registry or against a running service's GET /metrics.
 *
 * Test support, not used by the service at run time (it reads YAML with the `yaml` devDependency).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** PromQL words that look like identifiers but are not metric names. */
const PROMQL_KEYWORDS = new Set([
  'and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'inf', 'nan', 'atan2',
]);

/**
 * Metric names an expression selects, in order of appearance. Understands the PromQL written in this
 * bundle: selectors, label matchers, ranges, function calls, aggregations with by/without, binary
 * operators with on/ignoring/group_*, Grafana variables ($__rate_interval, ${x}) and label_values().
 * Names are returned as written (`foo_bucket` stays `foo_bucket`).
 */
export function extractMetricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals (label values, regexes)
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    // Grafana's label_values(metric{…}, label) selects metric; label_values(label) selects nothing
    .replace(/\blabel_values\s*\(((?:[^(),{}]|\{[^}]*\})*)(,\s*\w+\s*)?\)/g, (_m, first: string, label?: string) =>
      label ? ` ${first} ` : ' ')
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\boffset\s+-?\w+/g, ' ')
    .replace(/@\s*(?:(?:start|end)\s*\(\s*\)|[\d.eE+-]+)/g, ' '); // @ modifiers

  const names: string[] = [];
  const token = /[A-Za-z_:][\w:]*/g;
  for (let m = token.exec(s); m !== null; m = token.exec(s)) {
    const before = m.index > 0 ? s[m.index - 1] ?? '' : '';
    if (/[\w.]/.test(before)) continue; // part of a number such as 1e3 or 0.5e-1
    const rest = s.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest)) continue; // function call or aggregation
    if (PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    if (!names.includes(m[0])) names.push(m[0]);
  }
  return names;
}

/** `foo_bucket` / `foo_sum` / `foo_count` → `foo` (the histogram's family name). */
export function metricFamilyName(name: string): string {
  return name.replace(/_(?:bucket|sum|count)$/, '');
}

/** Every PromQL expression in the bundle, with the file it came from. */
export async function bundleExpressions(rootDir: string): Promise<{ file: string; expr: string }[]> {
  const grafanaDir = join(rootDir, 'grafana');
  const out: { file: string; expr: string }[] = [];
  for (const file of await listFiles(grafanaDir)) {
    const rel = file.slice(rootDir.length).replace(/^[\\/]/, '');
    let doc: unknown;
    if (file.endsWith('.json')) doc = JSON.parse(await readFile(file, 'utf8'));
    else if (/\.ya?ml$/.test(file) && !/\.test\.ya?ml$/.test(file)) doc = parseYaml(await readFile(file, 'utf8'));
    else continue;
    for (const expr of collectExpressions(doc)) out.push({ file: rel, expr });
  }
  return out;
}

/**
 * Metric family names (histogram suffixes stripped, sorted, unique) queried by grafana/ under rootDir:
 * dashboards' targets and template variables, Grafana alert rule queries, Prometheus rules.
 * Unit-test files (*.test.yml) are skipped: their input series are made up.
 */
export async function metricNamesReferencedByBundle(rootDir: string): Promise<string[]> {
  const names = new Set<string>();
  for (const { expr } of await bundleExpressions(rootDir)) {
    for (const name of extractMetricNames(expr)) names.add(metricFamilyName(name));
  }
  return [...names].sort();
}

/** Family names declared in a Prometheus text exposition (`# TYPE name type` lines). */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) \S+/gm)) names.add(m[1] as string);
  return names;
}

/** The referenced names that the exposition does not declare (empty when everything is there). */
export function missingMetricNames(referenced: readonly string[], exposition: string): string[] {
  const exposed = exposedMetricNames(exposition);
  return referenced.filter((name) => !exposed.has(name));
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * PromQL strings in a parsed dashboard / rules document: every string under an `expr` key, and the
 * query of dashboard template variables (`templating.list[].query`, a string or `{ query }`).
 */
function collectExpressions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) collectExpressions(item, out);
  } else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (typeof obj.expr === 'string') out.push(obj.expr);
    if (obj.type === 'query' && 'query' in obj && 'name' in obj) {
      const q = obj.query;
      if (typeof q === 'string') out.push(q);
      else if (q !== null && typeof q === 'object' && typeof (q as { query?: unknown }).query === 'string') {
        out.push((q as { query: string }).query);
      }
    }
    for (const [key, value] of Object.entries(obj)) if (key !== 'expr') collectExpressions(value, out);
  }
  return out;
}
