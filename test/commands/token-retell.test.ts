// `token create|list|revoke` (only the SHA-256 stored) and `retell tools` (printed as
// retell-sdk's CustomTool; `--apply` through the SDK against a local stand-in for Retell's API).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LlmUpdateParams } from 'retell-sdk/resources/llm';
import { normalizeArgs } from '../../src/retell/args.ts';
import { FUNCTIONS } from '../../src/retell/functions.ts';
import { sha256Hex } from '../../src/catalog/index.ts';
import type { RetellCustomTool } from '../../src/retell/tools.ts';
import { SAMPLE_CATALOG_FILE } from '../helpers/service.ts';
import { fakeApi, run } from './helpers.ts';

let dir: string;
let file: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbr-cmd-token-'));
  file = join(dir, 'catalog.json');
  writeFileSync(file, readFileSync(SAMPLE_CATALOG_FILE));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tokensOf = () => JSON.parse(readFileSync(file, 'utf8')).companies[0].apiTokens as Array<{ sha256: string; role: string; label?: string }>;

test('token create prints the token once and stores only its SHA-256; list and revoke', async () => {
  const before = tokensOf().length;
  const created = await run(['token', 'create', '--company', 'salon-schmidt', '--role', 'reseller', '--label', 'Agentur Nord', '--catalog', file]);
  assert.equal(created.code, 0, created.err);
  const token = created.out.trim();
  assert.match(token, /^vbr_[A-Za-z0-9_-]{32}$/);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(token), 'the token itself is never written');
  const stored = tokensOf();
  assert.equal(stored.length, before + 1);
  assert.deepEqual(stored.at(-1), { sha256: sha256Hex(token), role: 'reseller', label: 'Agentur Nord', createdAt: '2026-12-01T10:00:00.000Z' });

  const list = await run(['token', 'list', '--catalog', file]);
  assert.equal(list.code, 0);
  assert.ok(!list.out.includes(token));
  assert.match(list.out, new RegExp(`salon-schmidt\\treseller\\t${sha256Hex(token).slice(0, 12)}…\\t2026-12-01T10:00:00.000Z\\tAgentur Nord`));

  assert.equal((await run(['token', 'revoke', '--company', 'salon-schmidt', '--sha256', 'abc', '--catalog', file])).code, 64, 'too short a prefix');
  const revoked = await run(['token', 'revoke', '--company', 'salon-schmidt', '--token', token, '--catalog', file]);
  assert.equal(revoked.code, 0, revoked.err);
  assert.equal(tokensOf().length, before);
  assert.ok(!tokensOf().some((t) => t.sha256 === sha256Hex(token)));
});

test('token errors name the flag: unknown company, bad role, no catalog', async () => {
  const bad = await run(['token', 'create', '--company', 'salon-nope', '--role', 'admin', '--catalog', file]);
  assert.equal(bad.code, 64);
  assert.match(bad.err, /--company salon-nope: not in .* \(companies: salon-schmidt\)/);
  const role = await run(['token', 'create', '--company', 'salon-schmidt', '--role', 'boss', '--catalog', file]);
  assert.equal(role.code, 64);
  assert.match(role.err, /--role: expected customer, reseller, admin/);
  const none = await run(['token', 'list'], { DATA_DIR: join(dir, 'empty') });
  assert.equal(none.code, 78);
  assert.match(none.err, /^CATALOG_FILE=.*empty\/catalog\.json: no catalog there/);
  const flag = await run(['token', 'create', '--bogus'], {});
  assert.equal(flag.code, 64);
});

async function printedTools(env: Record<string, string> = {}): Promise<RetellCustomTool[]> {
  const res = await run(['retell', 'tools', '--catalog', file], { PUBLIC_BASE_URL: 'https://booking.example.com', ...env });
  assert.equal(res.code, 0, res.err);
  return JSON.parse(res.out);
}

test('retell tools prints one CustomTool per function: default body URL, German args our parser reads, timeout above the deadline', async () => {
  const tools = await printedTools({ FUNCTION_DEADLINE_MS: '8000' });
  // The printed JSON is what retell-sdk's update accepts (checked by the compiler too).
  const sdk: LlmUpdateParams.CustomTool[] = tools;
  assert.deepEqual(sdk.map((t) => t.name).sort(), Object.keys(FUNCTIONS).sort());
  for (const tool of tools) {
    assert.equal(tool.type, 'custom');
    assert.equal(tool.url, 'https://booking.example.com/retell/function', 'the {name, call, args} route');
    assert.equal(tool.method, 'POST');
    assert.ok(!('args_at_root' in tool), 'default body mode: the signed call names tenant and caller');
    assert.equal(tool.timeout_ms, 10_000);
    assert.match(tool.description, /[äöüß]|Termin|Dienstleistung/);
    assert.equal(tool.parameters.type, 'object');
    for (const name of tool.parameters.required ?? []) assert.ok(name in tool.parameters.properties, `${tool.name}.${name}`);
    // Every argument name is one src/retell/args.ts understands.
    for (const key of Object.keys(tool.parameters.properties)) {
      assert.equal(Object.keys(normalizeArgs({ [key]: 'x1' })).length, 1, `${tool.name}: "${key}" is read by normalizeArgs`);
    }
  }
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  assert.deepEqual(byName.book_appointment!.parameters.required, ['dienstleistung', 'datum', 'uhrzeit', 'name']);
  assert.match(byName.check_availability!.parameters.properties.dienstleistung!.description, /Herrenhaarschnitt, Damenhaarschnitt, Färben, Färben \+ Schneiden/);
  assert.equal(byName.book_appointment!.speak_during_execution, true);
  assert.equal(byName.book_appointment!.execution_message_type, 'static_text');
  assert.match(byName.book_appointment!.execution_message_description!, /Einen Moment/);
  assert.equal(byName.list_services!.speak_during_execution, false);
  assert.equal((await printedTools({ FUNCTION_DEADLINE_MS: '3000' }))[0]!.timeout_ms, 5000);

  const local = await run(['retell', 'tools', '--catalog', file]);
  assert.match(local.err, /PUBLIC_BASE_URL not set/);
});

test('retell tools --apply replaces our tools on the LLM through retell-sdk and keeps the others', async () => {
  const existing = [
    { type: 'end_call', name: 'end_call', description: 'Auflegen' },
    { type: 'custom', name: 'book_appointment', url: 'https://old.example.com/x', description: 'alt' },
    { type: 'custom', name: 'crm_lookup', url: 'https://crm.example.com', description: 'CRM' },
  ];
  let updated: { general_tools: Array<{ name: string; type: string; url?: string }> } | undefined;
  const retell = await fakeApi((req) => {
    if (req.headers.authorization !== 'Bearer key_test') return [401, { message: 'unauthorized' }];
    if (req.method === 'GET' && req.url.startsWith('/get-retell-llm/llm_123')) return [200, { llm_id: 'llm_123', version: 3, general_tools: existing }];
    if (req.method === 'PATCH' && req.url.startsWith('/update-retell-llm/llm_123')) {
      updated = JSON.parse(req.body);
      return [200, { llm_id: 'llm_123', version: 4, ...updated }];
    }
    return [404, { message: 'not found' }];
  });
  try {
    const env = { RETELL_API_KEY: 'key_test', RETELL_BASE_URL: retell.url, PUBLIC_BASE_URL: 'https://booking.example.com' };
    const applied = await run(['retell', 'tools', '--apply', '--llm-id', 'llm_123', '--catalog', file], env);
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.err, /Retell LLM llm_123: 7 tools set .* 2 other tools kept/);
    assert.deepEqual(Object.keys(updated!), ['general_tools'], 'only the tools are changed');
    const names = updated!.general_tools.map((t) => t.name);
    assert.deepEqual(names, ['end_call', 'crm_lookup', 'list_services', 'check_customer', 'check_availability', 'book_appointment', 'cancel_appointment', 'reschedule_appointment', 'get_alternatives']);
    assert.equal(updated!.general_tools.find((t) => t.name === 'book_appointment')!.url, 'https://booking.example.com/retell/function');
    assert.deepEqual(updated!.general_tools.slice(2), await printedTools());

    const unknown = await run(['retell', 'tools', '--apply', '--llm-id', 'llm_nope', '--catalog', file], env);
    assert.equal(unknown.code, 69);
    assert.match(unknown.err, /Retell answered 404 for LLM llm_nope \(check --llm-id\)/);
    const wrongKey = await run(['retell', 'tools', '--apply', '--llm-id', 'llm_123', '--catalog', file], { ...env, RETELL_API_KEY: 'nope' });
    assert.match(wrongKey.err, /401.*check RETELL_API_KEY/);
    const noKey = await run(['retell', 'tools', '--apply', '--llm-id', 'llm_123', '--catalog', file], { ...env, RETELL_API_KEY: '' });
    assert.equal(noKey.code, 78);
    assert.match(noKey.err, /^RETELL_API_KEY: required with --apply/);
    const http = await run(['retell', 'tools', '--apply', '--llm-id', 'llm_123', '--catalog', file], { ...env, PUBLIC_BASE_URL: 'http://booking.example.com' });
    assert.equal(http.code, 78);
    assert.match(http.err, /^PUBLIC_BASE_URL: --apply needs the https address/);
    assert.equal(retell.requests.filter((r) => r.method === 'PATCH').length, 1, 'refusals never reach the update');
  } finally {
    await retell.close();
  }
});
