// The sample catalog (data/catalog.json) travels inside the binary. When the catalog
// file the service reads does not exist yet, the entry writes this copy there once, so
// a fresh VM starts with a working (sample) catalog that the operator then edits; an
// existing file is never touched.
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Filled in by scripts/binary/build.mjs (esbuild `define`) with data/catalog.json's text. */
declare const __VBR_DEFAULT_CATALOG__: string | undefined;

/** The embedded catalog text; from source (tsx) it is the repository's data/catalog.json. */
export function embeddedCatalogText(): string {
  if (typeof __VBR_DEFAULT_CATALOG__ !== 'undefined') return __VBR_DEFAULT_CATALOG__;
  return readFileSync(new URL('../../data/catalog.json', import.meta.url), 'utf8');
}

/** Where the service reads its catalog: `CATALOG_FILE` if the config grows one, else `<DATA_DIR>/catalog.json`. */
export function catalogFileFor(config: { DATA_DIR: string; CATALOG_FILE?: string | undefined }): string {
  return config.CATALOG_FILE ?? join(config.DATA_DIR, 'catalog.json');
}

/**
 * Makes sure `file` exists: writes the embedded catalog there if it is missing and
 * returns whether it did. Never overwrites (an operator's catalog always wins).
 */
export function ensureCatalogFile(file: string, text: string = embeddedCatalogText()): { file: string; seeded: boolean } {
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
