import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// Runs in its own process: the memo is process-wide, and the other domain tests must see plain luxon.
test('memoised zone offsets give exactly the answers luxon computes, DST days included', () => {
  const script = `
    import { DateTime } from 'luxon';
    import { memoizeZoneOffsets } from './src/domain/zone-offsets.ts';
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'];
    const instants = [];
    for (const start of [Date.UTC(2026, 2, 28, 20), Date.UTC(2026, 9, 24, 20), Date.UTC(2026, 3, 4, 12), Date.UTC(2025, 11, 31, 22)]) {
      for (let i = 0; i < 24 * 60; i += 7) instants.push(start + i * 60_000 + (i % 13) * 1000);
    }
    const render = () => zones.flatMap((zone) => instants.map((t) => DateTime.fromMillis(t, { zone }).toISO())).join('\\n');
    const plain = render();
    memoizeZoneOffsets();
    const memoised = render();
    const again = render();
    console.log(JSON.stringify({ same: plain === memoised && memoised === again, count: plain.split('\\n').length }));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const { same, count } = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  assert.ok(count > 4000);
  assert.equal(same, true);
});

test('isValidTimeZone accepts IANA names (also when asked again) and refuses others', async () => {
  const { isValidTimeZone } = await import('../../src/domain/zone-offsets.ts');
  for (let round = 0; round < 2; round++) {
    assert.equal(isValidTimeZone('Europe/Berlin'), true);
    assert.equal(isValidTimeZone('America/Argentina/Buenos_Aires'), true);
    assert.equal(isValidTimeZone('Europe/Atlantis'), false);
    assert.equal(isValidTimeZone('Mitteleuropa'), false);
    assert.equal(isValidTimeZone(''), false);
  }
});
