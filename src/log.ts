import { pino, type Logger } from 'pino';

export type { Logger };

/** The process logger: JSON lines on stdout; children add call id, command id and key. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
