import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one request (or one actor command) spent waiting rather than working: on Cal.com,
 * and in a mailbox behind earlier commands of its key or partition. The Cal.com client's
 * request hook adds to the current scope; an actor reports its own waits in its reply and
 * the asker adds them here, so the front door can tell its own time from the waits
 * (`Server-Timing: calcom;dur=…, mailbox;dur=…, function;dur=…`).
 */
export interface Waits {
  calcomMs: number;
  mailboxMs: number;
}

const scope = new AsyncLocalStorage<Waits>();

export async function measureWaits<T>(work: () => Promise<T>): Promise<{ result: T } & Waits> {
  const waits: Waits = { calcomMs: 0, mailboxMs: 0 };
  const result = await scope.run(waits, work);
  return { result, ...waits };
}

export function addWaits(more: Partial<Waits>): void {
  const waits = scope.getStore();
  if (!waits) return;
  if (Number.isFinite(more.calcomMs)) waits.calcomMs += more.calcomMs!;
  if (Number.isFinite(more.mailboxMs)) waits.mailboxMs += more.mailboxMs!;
}

/** Runs background work outside the current scope, so its Cal.com time is nobody's wait. */
export function detached<T>(work: () => T): T {
  return scope.exit(work);
}

/** A promise someone else started: the time spent waiting for it counts as a Cal.com wait here. */
export async function awaitShared<T>(shared: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await shared;
  } finally {
    addWaits({ calcomMs: performance.now() - started });
  }
}
