import { pino } from 'pino';

/** Tests log only warnings and worse, unless TEST_LOG_LEVEL asks for more. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });
