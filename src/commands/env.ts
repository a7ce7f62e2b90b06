import { z } from 'zod';
import { catalogFileFor } from '../catalog/index.ts';
import { configError } from './io.ts';

/**
 * The few environment variables the commands read. Not loadConfig(): a command such as
 * `catalog import` needs CALCOM_API_KEY but none of the secrets the running service needs.
 */
export function catalogFile(env: NodeJS.ProcessEnv, flag: string | undefined): string {
  if (flag) return flag;
  return catalogFileFor({ DATA_DIR: nonEmpty(env.DATA_DIR) ?? 'data', CATALOG_FILE: nonEmpty(env.CATALOG_FILE) });
}

export interface CalcomAccess {
  baseUrl: string;
  apiKey: string;
}

/** Cal.com's address and key; the key must be set when Cal.com (not the simulator) is asked. */
export function calcomAccess(env: NodeJS.ProcessEnv): CalcomAccess {
  const apiKey = nonEmpty(env.CALCOM_API_KEY);
  if (!apiKey) throw configError('CALCOM_API_KEY: required to read event types from Cal.com (or use --from simulator)');
  const baseUrl = nonEmpty(env.CALCOM_BASE_URL) ?? 'https://api.cal.com';
  if (!z.url().safeParse(baseUrl).success) throw configError(`CALCOM_BASE_URL=${JSON.stringify(baseUrl)}: expected a URL such as https://api.cal.com`);
  return { baseUrl, apiKey };
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
