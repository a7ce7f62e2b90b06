import type { Logger } from 'pino';
import { isNotFound, type CalcomClient } from '../calcom/index.ts';
import type { CatalogIndex } from '../catalog/index.ts';
import { slotKeyAt } from '../actors/slot-key.ts';
import type { SlotClient } from '../actors/slot-actor.ts';
import type { Store } from '../store/index.ts';

export interface OrphanSweeperDeps {
  store: Store;
  calcom: CalcomClient;
  catalog: CatalogIndex;
  slot: SlotClient;
  logger: Logger;
  /** After this many failed attempts an orphan is escalated to a person (metric + error log). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Pending intents older than this are settled by their slot actor. */
  stalePendingMs?: number;
  observe?(result: 'swept' | 'escalated'): void;
  onOpenCount?(count: number): void;
}

export interface SweepReport {
  cancelled: number;
  retryLater: number;
  escalated: number;
  settling: number;
}

/**
 * Clears what failed compensations leave behind: Cal.com bookings recorded as orphans
 * are cancelled, with exponential backoff between attempts, until done or escalated;
 * intents left pending by dead commands are handed to their slot actor to settle.
 * Scheduled as a repeatable BullMQ job by `MaintenanceJobs`.
 */
export class OrphanSweeper {
  constructor(private readonly deps: OrphanSweeperDeps) {}

  async sweepOnce(): Promise<SweepReport> {
    const { store, calcom, logger } = this.deps;
    const report: SweepReport = { cancelled: 0, retryLater: 0, escalated: 0, settling: 0 };
    for (const orphan of await store.orphans.due()) {
      try {
        await calcom.cancelBooking(orphan.calcomUid, { cancellationReason: 'Automatisch storniert: verwaiste Buchung' }).catch((error) => {
          if (!isNotFound(error)) throw error;
        });
        await store.orphans.resolve(orphan.calcomUid);
        this.deps.observe?.('swept');
        report.cancelled++;
        logger.info({ uid: orphan.calcomUid }, 'orphaned booking cancelled');
      } catch (error) {
        const attempts = orphan.attempts + 1;
        const escalate = attempts >= (this.deps.maxAttempts ?? 8) && !orphan.escalated;
        const delay = Math.min(this.deps.maxDelayMs ?? 600_000, (this.deps.baseDelayMs ?? 5000) * 2 ** orphan.attempts);
        await store.orphans.retryLater(orphan.calcomUid, (error as Error).message, delay, escalate || orphan.escalated === 1);
        report.retryLater++;
        if (escalate) {
          report.escalated++;
          this.deps.observe?.('escalated');
          logger.error({ uid: orphan.calcomUid, attempts }, 'orphaned booking still not cancelled: a person must look at it');
        }
      }
    }
    for (const row of await store.appointments.stalePending(this.deps.stalePendingMs ?? 120_000)) {
      const company = this.deps.catalog.company(row.companyId);
      if (!company) continue;
      const key = slotKeyAt(row.companyId, row.calendarKey, row.startUtc, company.timeZone);
      // Its command still runs (a slow Cal.com create, or waiting to be delivered again after a crash):
      // it settles the intent itself. Settled from here meanwhile, "not in Cal.com yet" would mark it
      // failed just before the command books it — and Cal.com's webhook then cancels a confirmed booking.
      const command = row.groupId ?? row.commandId;
      if (command && (await this.deps.slot.running(key, command).catch(() => true))) continue;
      await this.deps.slot.tell.settle(key, { appointmentId: row.id }, { id: `settle:${row.id}:${row.updatedAt}` });
      report.settling++;
    }
    this.deps.onOpenCount?.(await store.orphans.openCount());
    return report;
  }
}
