import type { Worker } from 'bullmq';

/**
 * Closes a BullMQ worker, letting its in-flight job finish — but within a bound: after its Redis
 * restarted, a worker's close can wait forever on a blocking read that never returns (seen with
 * an external Redis stopped and started again). Past the bound its blocking connection is dropped;
 * a job it still held is redelivered after its lock expires, and handlers converge on a second delivery.
 */
export async function closeWorker(worker: Worker, graceMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, graceMs, 'late')));
  const graceful = worker.close().then(() => 'closed' as const);
  graceful.catch(() => {});
  const outcome = await Promise.race([graceful, late]).finally(() => clearTimeout(timer));
  if (outcome === 'late') {
    // close() is memoised, so a second close(true) would wait on the same promise: instead drop the
    // worker's blocking connection, which fails the stuck read and lets that close finish.
    const blocking = (worker as unknown as { blockingConnection?: { disconnect(): Promise<void> } }).blockingConnection;
    await blocking?.disconnect().catch(() => {});
    await Promise.race([graceful.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }
}
