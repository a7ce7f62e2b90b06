import { existsSync } from 'node:fs';
import { CatalogError, catalogFileFor, ensureCatalogFile } from './catalog/index.ts';
import { isCommand, runCommand } from './commands/index.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { RedisNotInstalledError } from './runtime/embedded-redis.ts';
import { StoreMismatchError } from './runtime/store-binding.ts';
import { startService, type Service } from './service.ts';

/**
 * Runs the service until SIGTERM/SIGINT, shared by `npm start` and the single binary.
 * Exit codes: 78 bad configuration or catalog, 69 redis-server missing, 0 after a clean stop.
 */
export async function runService(hooks: { beforeStart?(config: Config, logger: Logger): void } = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.LOG_LEVEL);
  hooks.beforeStart?.(config, logger);
  ensureCatalog(config, logger);

  let service: Service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof CatalogError) {
      console.error(`CATALOG_FILE=${catalogFileFor(config)}: ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    if (error instanceof StoreMismatchError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    if (error instanceof RedisNotInstalledError) {
      console.error(error.message);
      process.exit(69); // EX_UNAVAILABLE
    }
    throw error;
  }
  logger.info({ url: service.url, calcom: service.simulator ? 'built-in simulator' : config.CALCOM_BASE_URL }, 'service started');
  if (service.simulator) {
    logger.info(
      { retellKey: service.retellApiKey, demo: `npm run demo -- ${service.url}` },
      'no CALCOM_API_KEY: running on the built-in Cal.com simulator; try a whole German call with the demo command',
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight commands');
    await service.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * A fresh DATA_DIR on the built-in simulator gets the sample salon, so the first start
 * answers calls; with real Cal.com a missing catalog is a configuration error that says
 * how to make one.
 */
function ensureCatalog(config: Config, logger: Logger): void {
  const file = catalogFileFor(config);
  if (existsSync(file)) return;
  if (config.CALCOM_API_KEY) {
    console.error(
      `CATALOG_FILE=${file}: no catalog there. Import one from Cal.com with \`catalog import --company <id> --name "<Salon>"\` ` +
        '(npm run catalog -- import …), or set CATALOG_FILE to an existing catalog.json',
    );
    process.exit(78); // EX_CONFIG
  }
  if (ensureCatalogFile(file).seeded) {
    logger.warn({ file }, 'no catalog found: wrote the sample salon catalog (Salon Schmidt, built-in simulator) there; replace it with `catalog import` for your salon');
  }
}

/** The program: a subcommand (`catalog`, `token`, `retell`) when named, else the service. */
export async function runProgram(argv: string[], hooks: Parameters<typeof runService>[0] = {}): Promise<void> {
  if (isCommand(argv[0])) {
    process.exitCode = await runCommand(argv);
    return;
  }
  if (argv.length) {
    console.error(`unknown arguments: ${argv.join(' ')} (commands: catalog, token, retell; none runs the service)`);
    process.exit(64); // EX_USAGE
  }
  await runService(hooks);
}
