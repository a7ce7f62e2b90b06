import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry, register as globalRegistry } from 'prom-client';
import {
  BOOKING_OUTCOMES,
  CALCOM_OPERATIONS,
  LATENCY_BUCKETS,
  MAILBOX_WAIT_BUCKETS,
  createMetrics,
} from '../../src/metrics/metrics.ts';
import {
  exposedMetricNames,
  extractMetricNames,
  metricNamesReferencedByBundle,
  missingMetricNames,
} from '../../src/metrics/referenced.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The names DESIGN.md fixes, plus the call metrics metrics.ts adds for the conversion panel. */
const OWN_METRICS = [
  'booking_commands_total',
  'retell_function_duration_seconds',
  'calcom_request_duration_seconds',
  'availability_cache_requests_total',
  'actor_jobs_total',
  'actor_mailbox_wait_seconds',
  'saga_compensations_total',
  'orphaned_bookings',
  'retell_calls_total',
  'calls_with_appointment_total',
  'calcom_webhooks_refused_total',
];

test('every metric the grafana bundle queries exists in createMetrics() output', async () => {
  const referenced = await metricNamesReferencedByBundle(root);
  const exposition = await createMetrics().registry.metrics();
  assert.deepEqual(
    missingMetricNames(referenced, exposition),
    [],
    'grafana/ (dashboards, Grafana alert rules or Prometheus rules) queries metrics that src/metrics/metrics.ts does not define',
  );
});

test('the bundle queries every metric the service defines (dashboard or alerts)', async () => {
  const referenced = new Set(await metricNamesReferencedByBundle(root));
  assert.deepEqual(OWN_METRICS.filter((name) => !referenced.has(name)), []);
  // and the process metrics shown on the dashboard come from collectDefaultMetrics
  for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
    assert.ok(referenced.has(name), `${name} is on the dashboard`);
  }
});

test('the check fails when the bundle refers to a metric that was renamed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
  try {
    await mkdir(join(dir, 'grafana', 'dashboards'), { recursive: true });
    await mkdir(join(dir, 'grafana', 'prometheus'), { recursive: true });
    await writeFile(
      join(dir, 'grafana', 'dashboards', 'd.json'),
      JSON.stringify({ panels: [{ targets: [{ expr: 'sum(rate(booking_command_total{outcome="success"}[5m]))' }] }] }),
    );
    await writeFile(
      join(dir, 'grafana', 'prometheus', 'alerts.yml'),
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: histogram_quantile(0.95, sum by (le) (rate(calcom_request_seconds_bucket[5m]))) > 3\n',
    );
    // input series of promtool unit tests are not queries and are ignored
    await writeFile(join(dir, 'grafana', 'prometheus', 'alerts.test.yml'), "tests:\n  - input_series:\n      - series: 'x'\n        expr: made_up_metric\n");
    const referenced = await metricNamesReferencedByBundle(dir);
    assert.deepEqual(referenced, ['booking_command_total', 'calcom_request_seconds']);
    const exposition = await createMetrics(new Registry(), { defaultMetrics: false }).registry.metrics();
    assert.deepEqual(missingMetricNames(referenced, exposition), ['booking_command_total', 'calcom_request_seconds']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('extractMetricNames finds selectors and skips functions, labels, keywords and variables', () => {
  const cases: [string, string[]][] = [
    ['up', ['up']],
    ['sum(rate(booking_commands_total{command="book",outcome=~"success|error"}[5m]))', ['booking_commands_total']],
    ['histogram_quantile(0.95, sum by (le, operation) (rate(calcom_request_duration_seconds_bucket[$__rate_interval])))', ['calcom_request_duration_seconds_bucket']],
    ['sum(rate(a_total[5m])) by (le) / on (job) group_left (x) b > bool 1e3 and c offset 5m unless d @ start()', ['a_total', 'b', 'c', 'd']],
    ['sum without (instance) (rate(q{re="(a|b)"}[${__range}]))', ['q']],
    ['label_values(retell_function_duration_seconds_count{x="a,b"}, function)', ['retell_function_duration_seconds_count']],
    ['label_values(function)', []],
    ['x{f=~"$function"} > 0.5e-1 or Inf', ['x']],
  ];
  for (const [expr, expected] of cases) assert.deepEqual(extractMetricNames(expr), expected, expr);
});

test('createMetrics exposes the fixed names with the fixed label sets', async () => {
  const m = createMetrics(new Registry(), { defaultMetrics: false });
  m.bookingCommands.inc({ command: 'book', outcome: 'success' });
  m.retellFunctionDuration.observe({ function: 'book_appointment', outcome: 'success' }, 0.2);
  m.calcomRequestDuration.observe({ operation: 'create_booking', status: '201' }, 1.5);
  m.availabilityCacheRequests.inc({ result: 'hit' });
  m.actorJobs.inc({ outcome: 'completed' });
  m.actorMailboxWait.observe(0.0005);
  m.sagaCompensations.inc({ result: 'cancelled' });
  m.orphanedBookings.set(2);
  m.retellCalls.inc({ event: 'ended' });
  m.callsWithAppointment.inc();
  m.calcomWebhooksRefused.inc({ reason: 'company_mismatch' });
  const text = await m.registry.metrics();

  assert.deepEqual([...exposedMetricNames(text)].sort(), [...OWN_METRICS].sort());
  assert.match(text, /^# TYPE booking_commands_total counter$/m);
  assert.match(text, /^# TYPE retell_function_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE calcom_request_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE actor_mailbox_wait_seconds histogram$/m);
  assert.match(text, /^# TYPE orphaned_bookings gauge$/m);
  assert.match(text, /^booking_commands_total\{command="book",outcome="success"\} 1$/m);
  assert.match(text, /^retell_function_duration_seconds_count\{function="book_appointment",outcome="success"\} 1$/m);
  assert.match(text, /^calcom_request_duration_seconds_count\{operation="create_booking",status="201"\} 1$/m);
  assert.match(text, /^availability_cache_requests_total\{result="hit"\} 1$/m);
  assert.match(text, /^actor_jobs_total\{outcome="completed"\} 1$/m);
  assert.match(text, /^actor_mailbox_wait_seconds_bucket\{le="0.001"\} 1$/m);
  assert.match(text, /^saga_compensations_total\{result="cancelled"\} 1$/m);
  assert.match(text, /^orphaned_bookings 2$/m);
  assert.match(text, /^retell_calls_total\{event="ended"\} 1$/m);
  assert.match(text, /^calls_with_appointment_total 1$/m);
  assert.ok(CALCOM_OPERATIONS.includes('list_bookings') && CALCOM_OPERATIONS.includes('release_reservation'));
});

test('series that dashboards and alerts divide by exist at 0 from the start', async () => {
  const text = await createMetrics(new Registry(), { defaultMetrics: false }).registry.metrics();
  for (const outcome of BOOKING_OUTCOMES) {
    assert.match(text, new RegExp(`^booking_commands_total\\{command="book",outcome="${outcome}"\\} 0$`, 'm'));
  }
  for (const outcome of ['completed', 'failed']) assert.match(text, new RegExp(`^actor_jobs_total\\{outcome="${outcome}"\\} 0$`, 'm'));
  for (const result of ['hit', 'miss', 'stale']) {
    assert.match(text, new RegExp(`^availability_cache_requests_total\\{result="${result}"\\} 0$`, 'm'));
  }
  for (const result of ['cancelled', 'orphaned']) assert.match(text, new RegExp(`^saga_compensations_total\\{result="${result}"\\} 0$`, 'm'));
  assert.match(text, /^retell_calls_total\{event="ended"\} 0$/m);
  assert.match(text, /^calls_with_appointment_total 0$/m);
  assert.match(text, /^orphaned_bookings 0$/m);
  assert.match(text, /^actor_mailbox_wait_seconds_count 0$/m);
});

test('latency buckets run from 5 ms to 10 s (mailbox wait from 1 ms)', async () => {
  const m = createMetrics(new Registry(), { defaultMetrics: false });
  m.retellFunctionDuration.observe({ function: 'check_availability', outcome: 'success' }, 0.01);
  m.calcomRequestDuration.observe({ operation: 'slots', status: '200' }, 0.3);
  const text = await m.registry.metrics();
  const bounds = (metric: string) =>
    [...text.matchAll(new RegExp(`^${metric}_bucket\\{.*?le="([^"]+)".*\\} `, 'gm'))]
      .map((match) => match[1] as string)
      .filter((le, i, all) => all.indexOf(le) === i);

  for (const metric of ['retell_function_duration_seconds', 'calcom_request_duration_seconds']) {
    const les = bounds(metric);
    assert.equal(les.at(-1), '+Inf', metric);
    const finite = les.slice(0, -1).map(Number);
    assert.deepEqual(finite, [...LATENCY_BUCKETS], metric);
    assert.equal(finite[0], 0.005, `${metric} starts at 5 ms`);
    assert.equal(finite.at(-1), 10, `${metric} ends at 10 s`);
    assert.ok(finite.includes(3), `${metric} has a 3 s bound (Cal.com P95 alert threshold)`);
  }
  const wait = bounds('actor_mailbox_wait_seconds').slice(0, -1).map(Number);
  assert.deepEqual(wait, [...MAILBOX_WAIT_BUCKETS]);
  assert.equal(wait[0], 0.001);
  assert.equal(wait.at(-1), 10);
});

test('createMetrics has no global side effects and can be called repeatedly', async () => {
  const before = await globalRegistry.metrics();
  const a = createMetrics();
  const b = createMetrics();
  assert.notEqual(a.registry, b.registry);
  assert.equal(await globalRegistry.metrics(), before);
  assert.doesNotMatch(before, /booking_commands_total/);

  const text = await a.registry.metrics();
  assert.match(text, /^# TYPE process_resident_memory_bytes gauge$/m, 'default process metrics are on the given registry');
  assert.match(text, /^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);

  const own = new Registry();
  assert.equal(createMetrics(own).registry, own);
  assert.throws(() => createMetrics(own), /already been registered/);
});
