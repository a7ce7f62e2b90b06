// Reading and writing the catalog file as the CLI commands edit it: the raw JSON (so that
// an operator's order and fields survive an edit), validated before every write, written
// atomically (temp file + rename) so the service never reads half a catalog.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogError, parseCatalog, type Catalog } from './schema.ts';

/** A catalog as JSON: the shape of catalog.json before defaults are filled in. */
export interface RawCatalog {
  companies: RawCompany[];
  functionAliases?: Record<string, string>;
  [key: string]: unknown;
}
export interface RawCompany {
  id: string;
  name: string;
  services: RawService[];
  apiTokens?: Array<{ sha256: string; role: string; label?: string; createdAt?: string }>;
  [key: string]: unknown;
}
export interface RawService {
  id: string;
  name: string;
  [key: string]: unknown;
}

/** The file's JSON, or undefined when there is no file. Unreadable JSON throws a CatalogError naming the file. */
export function readRawCatalog(file: string): RawCatalog | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RawCatalog;
  } catch (error) {
    throw new CatalogError(`catalog ${file}: ${(error as Error).message}`);
  }
}

/** Validates (errors name the field) and writes atomically; returns the parsed catalog. */
export function writeRawCatalog(file: string, raw: RawCatalog): Catalog {
  const catalog = parseCatalog(raw, `catalog ${file}`);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
  return catalog;
}
