// `token create|list|revoke`: API tokens for /api and /admin. A new token is printed once;
// the catalog keeps only its SHA-256 (so a leaked catalog opens nothing).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readRawCatalog, sha256Hex, writeRawCatalog, type RawCatalog, type RawCompany } from '../catalog/index.ts';
import { catalogFile } from './env.ts';
import { configError, EXIT, usageError, type CommandIo } from './io.ts';

const ROLES = ['customer', 'reseller', 'admin'] as const;

export const TOKEN_USAGE = `token create --company ID --role customer|reseller|admin [--label TEXT] [--catalog FILE]
      prints a new API token once (for /api and /admin) and stores only its SHA-256 in the catalog
  token list [--company ID] [--catalog FILE]
  token revoke --company ID (--sha256 PREFIX | --token TOKEN) [--catalog FILE]`;

export async function tokenCommand(argv: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      company: { type: 'string' },
      role: { type: 'string' },
      label: { type: 'string' },
      catalog: { type: 'string' },
      sha256: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  const file = catalogFile(io.env, values.catalog);
  const raw = readRawCatalog(file);
  if (!raw) throw configError(`CATALOG_FILE=${file}: no catalog there (create one with \`catalog import\`, or set CATALOG_FILE / --catalog)`);

  switch (action) {
    case 'create': {
      const company = companyOf(raw, values.company, file);
      const role = values.role as (typeof ROLES)[number];
      if (!ROLES.includes(role)) throw usageError(`--role: expected ${ROLES.join(', ')}`);
      // URL-safe and recognisable in logs and secret scanners.
      const token = `vbr_${randomBytes(24).toString('base64url')}`;
      const entry = { sha256: sha256Hex(token), role, ...(values.label && { label: values.label }), createdAt: new Date(io.now()).toISOString() };
      company.apiTokens = [...(company.apiTokens ?? []), entry];
      writeRawCatalog(file, raw);
      io.out(token);
      io.err(`stored sha256 ${entry.sha256.slice(0, 12)}… (${role}) for ${company.id} in ${file}; shown only now — restart the service to use it`);
      return EXIT.ok;
    }
    case 'list': {
      const companies = values.company ? [companyOf(raw, values.company, file)] : raw.companies;
      for (const company of companies) {
        for (const t of company.apiTokens ?? []) io.out([company.id, t.role, `${t.sha256.slice(0, 12)}…`, t.createdAt ?? '-', t.label ?? ''].join('\t').trimEnd());
      }
      return EXIT.ok;
    }
    case 'revoke': {
      const company = companyOf(raw, values.company, file);
      const wanted = values.token ? sha256Hex(values.token) : values.sha256?.toLowerCase();
      if (!wanted || (!values.token && !/^[0-9a-f]{6,64}$/.test(wanted))) throw usageError('--sha256: give at least 6 hex digits of the hash (see `token list`), or --token');
      const matching = (company.apiTokens ?? []).filter((t) => t.sha256.startsWith(wanted));
      if (matching.length === 0) throw usageError(`no token of ${company.id} matches ${values.token ? '--token' : `--sha256 ${wanted}`}`);
      if (matching.length > 1) throw usageError(`--sha256 ${wanted} matches ${matching.length} tokens of ${company.id}: give more digits`);
      company.apiTokens = (company.apiTokens ?? []).filter((t) => t !== matching[0]);
      writeRawCatalog(file, raw);
      io.err(`revoked ${matching[0]!.sha256.slice(0, 12)}… (${matching[0]!.role}) of ${company.id}; restart the service for it to take effect`);
      return EXIT.ok;
    }
    default:
      throw usageError(`token: expected create, list or revoke\n${TOKEN_USAGE}`);
  }
}

function companyOf(raw: RawCatalog, id: string | undefined, file: string): RawCompany {
  if (!id) throw usageError('--company: required (a company id from the catalog)');
  const company = raw.companies?.find((c) => c.id === id);
  if (!company) throw usageError(`--company ${id}: not in ${file} (companies: ${(raw.companies ?? []).map((c) => c.id).join(', ') || 'none'})`);
  return company;
}
