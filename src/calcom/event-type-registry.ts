import type { CallOptions } from './client.ts';
import type { CalcomEventType } from './event-types.ts';

/** What the registry needs from the client. */
export interface EventTypeSource {
  getEventType(id: number, opts?: CallOptions): Promise<CalcomEventType>;
}

export interface EventTypeRegistryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface EventTypeRegistryOptions {
  source: EventTypeSource;
  /** The event types the catalog books. */
  eventTypeIds: Iterable<number>;
  /** Reload every … ms (default 5 min); 0 disables the timer (call `refresh()` yourself). */
  refreshIntervalMs?: number;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** Timers (tests pass fakes). */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
  logger?: EventTypeRegistryLogger;
}

export interface RefreshResult {
  loaded: number[];
  /** Ids that failed this round, with the error; their last good value is kept. */
  failed: Array<{ id: number; error: string }>;
}

const noop = () => {};

/**
 * Cal.com's event types (booking questions, length, buffers, notice, confirmation, disabled
 * cancel/reschedule) as last read, for the booking path to consult without calling Cal.com.
 * Lifecycle: `await EventTypeRegistry.create(opts)` loads them all once and starts the
 * periodic refresh → `refresh()` reloads on demand → `close()` stops the timer. A failed
 * reload keeps the last good value; nothing starts as a side effect of an import.
 */
export class EventTypeRegistry {
  private readonly source: EventTypeSource;
  private readonly ids: number[];
  private readonly now: () => number;
  private readonly logger: EventTypeRegistryLogger;
  private readonly clear: (handle: unknown) => void;
  private readonly byId = new Map<number, { eventType: CalcomEventType; loadedAt: number }>();
  private timer: unknown;
  private inFlight: Promise<RefreshResult> | undefined;
  private closed = false;

  private constructor(options: EventTypeRegistryOptions) {
    this.source = options.source;
    this.ids = [...new Set(options.eventTypeIds)];
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? { info: noop, warn: noop };
    this.clear = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  }

  /** Loads every event type once (the result says which failed), then refreshes periodically. */
  static async create(options: EventTypeRegistryOptions): Promise<{ registry: EventTypeRegistry; initial: RefreshResult }> {
    const registry = new EventTypeRegistry(options);
    const initial = await registry.refresh();
    const every = options.refreshIntervalMs ?? 5 * 60_000;
    if (every > 0) {
      const set = options.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms).unref());
      registry.timer = set(() => void registry.refresh().catch(noop), every);
    }
    return { registry, initial };
  }

  /** Reloads all event types (one round at a time; concurrent callers share it). */
  refresh(): Promise<RefreshResult> {
    if (this.closed) return Promise.resolve({ loaded: [], failed: [] });
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<RefreshResult> {
    const result: RefreshResult = { loaded: [], failed: [] };
    await Promise.all(
      this.ids.map(async (id) => {
        try {
          const eventType = await this.source.getEventType(id);
          this.byId.set(id, { eventType, loadedAt: this.now() });
          result.loaded.push(id);
        } catch (err) {
          result.failed.push({ id, error: (err as Error).message });
        }
      }),
    );
    result.loaded.sort((a, b) => a - b);
    if (result.failed.length) this.logger.warn({ failed: result.failed }, 'some Cal.com event types could not be read; keeping their last known state');
    else this.logger.info({ loaded: result.loaded.length }, 'Cal.com event types loaded');
    return result;
  }

  get(id: number): CalcomEventType | undefined {
    return this.byId.get(id)?.eventType;
  }

  /** When `id` was last read successfully (epoch ms). */
  loadedAt(id: number): number | undefined {
    return this.byId.get(id)?.loadedAt;
  }

  /** Every event type read so far, by id (for `checkCatalogEventTypes`). */
  all(): ReadonlyMap<number, CalcomEventType> {
    return new Map([...this.byId].map(([id, v]) => [id, v.eventType]));
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clear(this.timer);
    this.timer = undefined;
  }
}
