import type { Redis } from 'ioredis';
import type { AvailabilityCache } from './cache.ts';

interface Invalidation {
  companyId: string;
  calendarKey: string;
  atUtc: number;
  zone: string;
  /** The process that sent it already dropped its own entries. */
  origin: string;
}

/**
 * Every process keeps its own availability cache; a booking or a Cal.com webhook seen by
 * one process drops the calendar-week everywhere through one Redis pub/sub channel.
 */
export class InvalidationBus {
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  private constructor(
    private readonly cache: AvailabilityCache,
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  static async open(cache: AvailabilityCache, publisher: Redis, subscriber: Redis, channel: string): Promise<InvalidationBus> {
    const bus = new InvalidationBus(cache, publisher, subscriber, channel);
    subscriber.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      const event = JSON.parse(message) as Invalidation;
      if (event.origin !== bus.origin) cache.invalidate(event.companyId, event.calendarKey, { zone: event.zone, at: event.atUtc });
    });
    await subscriber.subscribe(channel);
    return bus;
  }

  invalidate(companyId: string, calendarKey: string, atUtc: number, zone: string): void {
    this.cache.invalidate(companyId, calendarKey, { zone, at: atUtc });
    const event: Invalidation = { companyId, calendarKey, atUtc, zone, origin: this.origin };
    this.publisher.publish(this.channel, JSON.stringify(event)).catch(() => {
      // Other processes' entries then expire by TTL; the booking path double-checks anyway.
    });
  }

  async close(): Promise<void> {
    for (const connection of [this.subscriber, this.publisher]) await connection.quit().catch(() => connection.disconnect());
  }
}
