// Entry of the single executable (bundled by scripts/binary/build.mjs). It runs the same
// runService() as src/main.ts, without top-level await (the SEA bundle is CommonJS), and
// before that unpacks the embedded SQLite addon (runService seeds the sample catalog on a
// fresh DATA_DIR in simulator mode). `<binary> catalog|token|retell …` runs a command.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runService } from '../../src/cli.ts';
import { COMMAND_USAGE, isCommand, runCommand } from '../../src/commands/index.ts';
import { embeddedCatalogText } from './catalog.ts';
import { buildInfo, loadBetterSqlite3Addon } from './native-addon.ts';

const NAME = buildInfo?.name ?? 'voice-booking-runtime';

const USAGE = `Usage: ${NAME} [--version | --self-check | --help | <command> …]

Without arguments: runs the booking service until SIGTERM/SIGINT.
Needs only redis-server on PATH (or REDIS_URL); configuration comes from the environment:
  PORT, HOST              HTTP front door (default 3000, 127.0.0.1)
  DATA_DIR                SQLite file, embedded Redis data, catalog.json (default ./data)
  REDIS_URL               redis://, rediss:// or unix:///path.sock; unset = private redis-server
  REDIS_SERVER_BIN        redis-server binary for the private server (default redis-server)
  CALCOM_API_KEY, CALCOM_WEBHOOK_SECRET, RETELL_API_KEY, LOG_LEVEL, …  (see the README)

  --version      print version and build information
  --self-check   load the embedded SQLite addon, read the embedded catalog, print JSON, exit

${COMMAND_USAGE}
`;

async function main(argv: string[]): Promise<void> {
  const [flag, ...rest] = argv;
  if (flag === undefined) return run();
  if (isCommand(flag)) return void (process.exitCode = await runCommand(argv));
  if (rest.length === 0 && (flag === '--help' || flag === '-h')) return void process.stdout.write(USAGE);
  if (rest.length === 0 && (flag === '--version' || flag === '-v')) return void console.log(versionLine());
  if (rest.length === 0 && flag === '--self-check') return void (process.exitCode = selfCheck());
  process.stderr.write(`unknown arguments: ${argv.join(' ')}\n\n${USAGE}`);
  process.exit(64); // EX_USAGE
}

function run(): Promise<void> {
  return runService({
    beforeStart(_config, logger) {
      if (buildInfo) {
        try {
          const addon = loadBetterSqlite3Addon();
          logger.debug({ path: addon.path, cached: addon.cached }, 'sqlite addon loaded');
        } catch (error) {
          console.error((error as Error).message);
          process.exit(73); // EX_CANTCREAT
        }
      }
    },
  });
}

function versionLine(): string {
  if (!buildInfo) return `${NAME} (from source, node ${process.version})`;
  return `${NAME} ${buildInfo.version} (node ${buildInfo.node}, linux-x64, built ${buildInfo.builtAt})`;
}

/** Proves the parts that cannot be resolved from node_modules at run time actually work. */
function selfCheck(): number {
  const dir = mkdtempSync(join(tmpdir(), 'vbr-self-check-'));
  try {
    const addon = buildInfo ? loadBetterSqlite3Addon() : undefined;
    const db = new Database(join(dir, 'check.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER)');
    db.prepare('INSERT INTO t (x) VALUES (?)').run(42);
    const row = db.prepare('SELECT x, sqlite_version() AS sqlite FROM t').get() as { x: number; sqlite: string };
    db.close();
    // Only the JSON: the schema is the service's business when it loads the file.
    const catalog = JSON.parse(embeddedCatalogText()) as { companies: { id: string }[] };
    console.log(
      JSON.stringify({
        ok: row.x === 42,
        version: versionLine(),
        sqlite: row.sqlite,
        addon: addon ? { path: addon.path, cached: addon.cached } : 'node_modules',
        catalog: { companies: catalog.companies.map((c) => c.id) },
      }),
    );
    return row.x === 42 ? 0 : 1;
  } catch (error) {
    console.error(`self-check failed: ${(error as Error).stack ?? error}`);
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
