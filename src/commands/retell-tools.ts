// `retell tools`: prints the Retell LLM tool definitions of a company as JSON; with
// `--apply --llm-id X` it puts them on that LLM through the official retell-sdk client,
// replacing our tools of the same names and keeping every other tool the LLM has.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CatalogIndex, loadCatalog } from '../catalog/index.ts';
import { retellTools, type RetellCustomTool } from '../retell/tools.ts';
import { catalogFile, nonEmpty } from './env.ts';
import { CommandError, configError, EXIT, usageError, type CommandIo } from './io.ts';

export const RETELL_USAGE = `retell tools [--company ID] [--base-url URL] [--catalog FILE]
      prints the Retell custom tools (JSON) pointing at {base URL}/retell/function
  retell tools --apply --llm-id LLM_ID [--company ID] [--base-url URL]
      updates that Retell LLM's general_tools (needs RETELL_API_KEY; base URL must be https)
  base URL: --base-url or PUBLIC_BASE_URL (default http://127.0.0.1:3000, printing only)`;

export async function retellCommand(argv: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'tools') throw usageError(`retell: expected tools\n${RETELL_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      company: { type: 'string' },
      'base-url': { type: 'string' },
      catalog: { type: 'string' },
      apply: { type: 'boolean', default: false },
      'llm-id': { type: 'string' },
    },
    strict: true,
  });
  const catalog = new CatalogIndex(loadCatalog(catalogFile(io.env, values.catalog)));
  const companies = catalog.catalog.companies;
  const company = values.company ? catalog.company(values.company) : companies.length === 1 ? companies[0] : undefined;
  if (!company) {
    throw usageError(`--company: ${values.company ? `${values.company} is not in the catalog` : 'required when the catalog has several companies'} (companies: ${companies.map((c) => c.id).join(', ')})`);
  }
  const givenUrl = values['base-url'] ?? nonEmpty(io.env.PUBLIC_BASE_URL);
  const publicBaseUrl = givenUrl ?? 'http://127.0.0.1:3000';
  if (!z.url({ protocol: /^https?$/ }).safeParse(publicBaseUrl).success) throw configError(`PUBLIC_BASE_URL=${JSON.stringify(publicBaseUrl)}: expected an http(s) URL such as https://booking.example.com`);
  const deadline = z.coerce.number().int().min(100).safeParse(nonEmpty(io.env.FUNCTION_DEADLINE_MS) ?? 8000);
  if (!deadline.success) throw configError(`FUNCTION_DEADLINE_MS=${JSON.stringify(io.env.FUNCTION_DEADLINE_MS)}: expected whole milliseconds ≥ 100`);
  const tools = retellTools(catalog, company, { publicBaseUrl, functionDeadlineMs: deadline.data });

  if (!values.apply) {
    io.out(JSON.stringify(tools, null, 2));
    if (!givenUrl) io.err('PUBLIC_BASE_URL not set: the tools point at http://127.0.0.1:3000, which Retell cannot reach; pass --base-url https://…');
    return EXIT.ok;
  }
  const llmId = values['llm-id'];
  if (!llmId) throw usageError('--llm-id: required with --apply (the Retell LLM of the agent, "llm_…")');
  if (!givenUrl || !publicBaseUrl.startsWith('https://')) throw configError('PUBLIC_BASE_URL: --apply needs the https address Retell reaches this service at (--base-url https://…)');
  const apiKey = nonEmpty(io.env.RETELL_API_KEY);
  if (!apiKey) throw configError('RETELL_API_KEY: required with --apply (the Retell API key; it also signs the calls)');
  const result = await applyTools({ apiKey, baseURL: nonEmpty(io.env.RETELL_BASE_URL), llmId, tools });
  io.err(`Retell LLM ${llmId}: ${tools.length} tools set (${tools.map((t) => t.name).join(', ')}), ${result.kept} other tools kept`);
  return EXIT.ok;
}

/** Reads the LLM, swaps in our tools by name, writes general_tools back. */
export async function applyTools(options: { apiKey: string; baseURL: string | undefined; llmId: string; tools: RetellCustomTool[] }): Promise<{ kept: number }> {
  // Loaded only here: printing the tools needs no SDK (it is a devDependency today).
  const { default: Retell, APIError } = await import('retell-sdk');
  const client = new Retell({ apiKey: options.apiKey, ...(options.baseURL && { baseURL: options.baseURL }), maxRetries: 1, timeout: 20_000 });
  const ours = new Set(options.tools.map((t) => t.name));
  try {
    const llm = await client.llm.retrieve(options.llmId);
    const others = (llm.general_tools ?? []).filter((tool) => !(tool.type === 'custom' && ours.has(tool.name)));
    const generalTools: NonNullable<Parameters<typeof client.llm.update>[1]['general_tools']> = [...(others as NonNullable<Parameters<typeof client.llm.update>[1]['general_tools']>), ...options.tools];
    await client.llm.update(options.llmId, { general_tools: generalTools });
    return { kept: others.length };
  } catch (error) {
    if (error instanceof APIError) {
      const hint = error.status === 401 ? ' (check RETELL_API_KEY)' : error.status === 404 ? ' (check --llm-id)' : '';
      throw new CommandError(EXIT.unavailable, `Retell answered ${error.status ?? 'no status'} for LLM ${options.llmId}${hint}: ${error.message}`);
    }
    throw error;
  }
}
