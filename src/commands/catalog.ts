// `catalog import` and `catalog check`: the catalog from Cal.com's event types instead of
// by hand, and the proof that it still matches Cal.com.
import { parseArgs } from 'node:util';
import { loadCatalog, readRawCatalog, writeRawCatalog } from '../catalog/index.ts';
import { calcomEventTypeSource, EventTypeReadError, simulatorEventTypeSource, type CalEventType, type EventTypeSource } from '../catalog/calcom-event-types.ts';
import { checkCatalog } from '../catalog/check.ts';
import { mergeEventTypes } from '../catalog/import.ts';
import { DEMO_SEED } from '../simulator/index.ts';
import { simulatorOptionsFromCatalog } from '../simulator/from-catalog.ts';
import { calcomAccess, catalogFile, nonEmpty } from './env.ts';
import { CommandError, EXIT, usageError, type CommandIo } from './io.ts';

export const CATALOG_USAGE = `catalog import --company ID [--name NAME] [--phone +49…]… [--team TEAM_ID] [--event-type ID]… [--from calcom|simulator] [--catalog FILE] [--dry-run]
      writes or merges the company's services from Cal.com's event types (aliases, ids and calendars kept)
  catalog check [--company ID] [--from calcom|simulator] [--catalog FILE]
      event types exist, lengths match, required booking questions can be answered; exit 1 and a line per problem
  --from: default calcom when CALCOM_API_KEY is set (CALCOM_BASE_URL), else the built-in simulator`;

export async function catalogCommand(argv: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'import') return importCommand(rest, io);
  if (action === 'check') return checkCommand(rest, io);
  throw usageError(`catalog: expected import or check\n${CATALOG_USAGE}`);
}

type From = 'calcom' | 'simulator';

function fromOf(value: string | undefined, io: CommandIo): From {
  const from = value ?? (nonEmpty(io.env.CALCOM_API_KEY) ? 'calcom' : 'simulator');
  if (from !== 'calcom' && from !== 'simulator') throw usageError('--from: expected calcom or simulator');
  return from;
}

async function importCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      company: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string', multiple: true },
      'time-zone': { type: 'string' },
      team: { type: 'string' },
      'event-type': { type: 'string', multiple: true },
      from: { type: 'string' },
      catalog: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.company) throw usageError('--company: required (the company id to write the services under, e.g. salon-schmidt)');
  const file = catalogFile(io.env, values.catalog);
  const from = fromOf(values.from, io);
  // The simulator's own salon (what `npm start` runs on without Cal.com).
  const source = from === 'calcom' ? calcomEventTypeSource(calcomAccess(io.env)) : simulatorEventTypeSource(DEMO_SEED);
  const ids = (values['event-type'] ?? []).map((id) => {
    if (!/^\d+$/.test(id)) throw usageError(`--event-type ${id}: expected a numeric event type id`);
    return Number(id);
  });
  const team = values.team === undefined ? undefined : /^\d+$/.test(values.team) ? Number(values.team) : undefined;
  if (values.team !== undefined && team === undefined) throw usageError(`--team ${values.team}: expected a numeric team id`);

  const eventTypes = await read(source, async () => {
    if (!ids.length) return source.list(team === undefined ? {} : { teamId: team });
    const found: CalEventType[] = [];
    for (const id of ids) {
      const et = await source.get(id);
      if (!et) throw new CommandError(EXIT.problems, `--event-type ${id}: no such event type in ${source.label}`);
      found.push(et);
    }
    return found;
  });
  if (eventTypes.length === 0) throw new CommandError(EXIT.problems, `${source.label} lists no event types${team ? ` for team ${team}` : ''}: nothing to import`);

  const result = mergeEventTypes(
    readRawCatalog(file),
    {
      companyId: values.company,
      ...(values.name && { companyName: values.name }),
      ...(values['time-zone'] && { timeZone: values['time-zone'] }),
      ...(values.phone && { phoneNumbers: values.phone }),
      fullList: ids.length === 0,
    },
    eventTypes,
  );
  for (const line of result.lines) io.err(line);
  if (values['dry-run']) {
    io.out(JSON.stringify(result.catalog, null, 2));
    return EXIT.ok;
  }
  writeRawCatalog(file, result.catalog);
  io.err(`wrote ${file} (${eventTypes.length} event types from ${source.label}); restart the service to use it`);
  return EXIT.ok;
}

async function checkCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { company: { type: 'string' }, from: { type: 'string' }, catalog: { type: 'string' } }, strict: true });
  const file = catalogFile(io.env, values.catalog);
  const catalog = loadCatalog(file);
  if (values.company && !catalog.companies.some((c) => c.id === values.company)) throw usageError(`--company ${values.company}: not in ${file}`);
  const from = fromOf(values.from, io);
  // In simulator mode the service runs a simulator built from this very catalog: check against that.
  const source: EventTypeSource = from === 'calcom' ? calcomEventTypeSource(calcomAccess(io.env)) : simulatorEventTypeSource(simulatorOptionsFromCatalog(catalog));
  const problems = await read(source, () => checkCatalog(catalog, source, values.company));
  for (const p of problems) io.out(`${p.companyId}/${p.serviceId}: ${p.message}`);
  const services = catalog.companies.filter((c) => !values.company || c.id === values.company).reduce((n, c) => n + c.services.length, 0);
  io.err(problems.length ? `${problems.length} problem(s) in ${file} against ${source.label}` : `ok: ${services} services in ${file} match ${source.label}`);
  return problems.length ? EXIT.problems : EXIT.ok;
}

/** Cal.com's refusals become configuration errors (78), silence becomes "unavailable" (69). */
async function read<T>(source: EventTypeSource, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof EventTypeReadError)) throw error;
    throw new CommandError(error.status === 401 || error.status === 403 ? EXIT.config : EXIT.unavailable, error.message);
  }
}
