// The program's subcommands (`node --import tsx src/main.ts <command> …`, the npm aliases
// `npm run catalog|token|retell -- …`, and the single binary): onboarding a salon without
// editing JSON by hand. Without a command the program runs the service (src/cli.ts).
import { CatalogError } from '../catalog/index.ts';
import { CATALOG_USAGE, catalogCommand } from './catalog.ts';
import { CommandError, EXIT, processIo, type CommandIo } from './io.ts';
import { RETELL_USAGE, retellCommand } from './retell-tools.ts';
import { TOKEN_USAGE, tokenCommand } from './token.ts';

export const COMMANDS: Record<string, (argv: string[], io: CommandIo) => Promise<number>> = {
  catalog: catalogCommand,
  token: tokenCommand,
  retell: retellCommand,
};

export const COMMAND_USAGE = `Commands:
  ${CATALOG_USAGE}
  ${TOKEN_USAGE}
  ${RETELL_USAGE}`;

export const isCommand = (name: string | undefined): boolean => name !== undefined && Object.hasOwn(COMMANDS, name);

/** Runs one command and returns its exit code; problems are one line each on stderr. */
export async function runCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!isCommand(name)) {
    io.err(`unknown command ${JSON.stringify(name ?? '')}\n${COMMAND_USAGE}`);
    return EXIT.usage;
  }
  try {
    return await COMMANDS[name!]!(rest, io);
  } catch (error) {
    if (error instanceof CommandError) {
      io.err(error.message);
      return error.exitCode;
    }
    if (error instanceof CatalogError) {
      io.err(error.message);
      return EXIT.config;
    }
    // parseArgs: unknown option or missing value
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${name}: ${(error as Error).message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
