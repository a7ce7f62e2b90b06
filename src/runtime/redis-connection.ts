import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a URL (REDIS_URL) or the unix socket of the embedded server. */
export type RedisEndpoint = { url: string } | { path: string };

/** A new ioredis client; `maxRetriesPerRequest: null` because BullMQ workers require it. */
export function connectRedis(endpoint: RedisEndpoint, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, ...extra };
  return 'url' in endpoint ? new Redis(endpoint.url, options) : new Redis({ ...options, path: endpoint.path });
}

/** REDIS_URL is `redis://…`, `rediss://…` or `unix:///path/to/redis.sock`. */
export function endpointFromUrl(url: string): RedisEndpoint {
  return url.startsWith('unix:') ? { path: new URL(url).pathname } : { url };
}

export function describeEndpoint(endpoint: RedisEndpoint): string {
  return 'url' in endpoint ? endpoint.url.replace(/\/\/[^@/]*@/, '//***@') : `unix:${endpoint.path}`;
}
