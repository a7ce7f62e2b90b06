// Entry point: `npm start`. Configuration comes from the environment (see README).
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { RedisNotInstalledError } from './runtime/embedded-redis.ts';
import { startService } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78); // EX_CONFIG
}

const logger = createLogger(config.LOG_LEVEL);
try {
  const service = await startService(config, logger);
  logger.info('service started');
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
} catch (error) {
  if (error instanceof RedisNotInstalledError) {
    console.error(error.message);
    process.exit(69); // EX_UNAVAILABLE
  }
  throw error;
}
