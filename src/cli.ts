import { CatalogError } from './catalog/index.ts';
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

  let service: Service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof CatalogError || error instanceof StoreMismatchError) {
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
