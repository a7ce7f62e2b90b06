import type { Redis } from 'ioredis';

export class StoreMismatchError extends Error {
  override name = 'StoreMismatchError';
}

/**
 * One Redis queue prefix serves one store. A command runs on whichever process takes its job and
 * uses that process's store, so processes with different stores (two machines each with its own
 * SQLite file) on one prefix would act on each other's ids. The first process binds the prefix to
 * its store; a process with another store refuses to start.
 */
export async function bindPrefixToStore(redis: Redis, prefix: string, storeId: string, describe: string): Promise<void> {
  const key = `${prefix}:store-id`;
  await redis.set(key, storeId, 'NX');
  const bound = await redis.get(key);
  if (bound !== storeId) {
    throw new StoreMismatchError(
      `QUEUE_PREFIX "${prefix}" on this Redis is already served by processes with another store (${bound}); this one is ${describe} (${storeId}). ` +
        'Share the store (the same DATA_DIR on one machine) or use another QUEUE_PREFIX.',
    );
  }
}
