import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { catalogFileFor, embeddedCatalogText, ensureCatalogFile } from '../../scripts/binary/catalog.ts';
import { buildInfo, cacheDirCandidates } from '../../scripts/binary/native-addon.ts';

const repoCatalog = readFileSync(new URL('../../data/catalog.json', import.meta.url), 'utf8');

test('from source, the embedded catalog is the repository sample and no build info is defined', () => {
  assert.equal(embeddedCatalogText(), repoCatalog);
  assert.equal(buildInfo, undefined);
});

test('the catalog file is DATA_DIR/catalog.json unless the config names one', () => {
  assert.equal(catalogFileFor({ DATA_DIR: '/var/lib/vbr' }), '/var/lib/vbr/catalog.json');
  assert.equal(catalogFileFor({ DATA_DIR: '/var/lib/vbr', CATALOG_FILE: '/etc/vbr/catalog.json' }), '/etc/vbr/catalog.json');
});

test('a missing catalog is seeded once; an existing one is never overwritten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-catalog-'));
  try {
    const file = join(dir, 'fresh', 'catalog.json');
    assert.deepEqual(ensureCatalogFile(file), { file, seeded: true });
    assert.equal(readFileSync(file, 'utf8'), repoCatalog);

    writeFileSync(file, '{"companies":[]}');
    assert.deepEqual(ensureCatalogFile(file, 'other text'), { file, seeded: false });
    assert.equal(readFileSync(file, 'utf8'), '{"companies":[]}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the addon cache is looked for in systemd CacheDirectory, XDG, ~/.cache, DATA_DIR, then the temp dir', () => {
  const dirs = cacheDirCandidates({ CACHE_DIRECTORY: '/var/cache/vbr:/other', XDG_CACHE_HOME: '/x', HOME: '/home/u', DATA_DIR: 'rel/data' });
  assert.deepEqual(dirs.slice(0, 4), [
    '/var/cache/vbr',
    '/x/voice-booking-runtime',
    '/home/u/.cache/voice-booking-runtime',
    resolve('rel/data/.cache'),
  ]);
  assert.match(dirs[4]!, /voice-booking-runtime-/);
  assert.equal(dirs.length, 5);
});
