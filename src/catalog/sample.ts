// The sample salon catalog (data/catalog.json). A fresh DATA_DIR in simulator mode gets a
// copy, so `npm start` (and the single binary) answer calls without any setup; an existing
// file is never touched. With real Cal.com a missing catalog is a configuration error.
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Filled in by scripts/binary/build.mjs (esbuild `define`) with data/catalog.json's text. */
declare const __VBR_DEFAULT_CATALOG__: string | undefined;

/** The sample catalog text; from source (tsx) it is the repository's data/catalog.json. */
export function sampleCatalogText(): string {
  if (typeof __VBR_DEFAULT_CATALOG__ !== 'undefined') return __VBR_DEFAULT_CATALOG__;
  return readFileSync(new URL('../../data/catalog.json', import.meta.url), 'utf8');
}

/** Where the service reads its catalog: `CATALOG_FILE`, else `<DATA_DIR>/catalog.json`. */
export function catalogFileFor(config: { DATA_DIR: string; CATALOG_FILE?: string | undefined }): string {
  return config.CATALOG_FILE ?? join(config.DATA_DIR, 'catalog.json');
}

/**
 * Makes sure `file` exists: writes `text` there if it is missing and returns whether it did.
 * Never overwrites (an operator's catalog always wins), also not one that appears meanwhile.
 */
export function ensureCatalogFile(file: string, text: string = sampleCatalogText()): { file: string; seeded: boolean } {
  if (existsSync(file)) return { file, seeded: false };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    linkSync(tmp, file); // atomic, and fails with EEXIST if a file appeared meanwhile (that one wins)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { file, seeded: false };
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  return { file, seeded: true };
}
