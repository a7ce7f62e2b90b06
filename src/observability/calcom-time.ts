import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How long the work of one request (or one actor command) waited on Cal.com. The Cal.com
 * client's request hook adds to the current scope; an actor reports its own total in its
 * reply and the asker adds it here, so the front door can tell its own time from Cal.com's
 * (`Server-Timing: calcom;dur=…`).
 */
const scope = new AsyncLocalStorage<{ ms: number }>();

export async function measureCalcomTime<T>(work: () => Promise<T>): Promise<{ result: T; calcomMs: number }> {
  const timing = { ms: 0 };
  const result = await scope.run(timing, work);
  return { result, calcomMs: timing.ms };
}

export function addCalcomTime(ms: number): void {
  const timing = scope.getStore();
  if (timing && Number.isFinite(ms)) timing.ms += ms;
}
