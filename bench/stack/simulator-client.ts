/** The standalone simulator's control API (`/_sim/…`) over HTTP. */
export class SimulatorClient {
  constructor(readonly url: string) {}

  stats(): Promise<{
    requests: Record<string, number>;
    responses: Record<string, Record<string, number>>;
    bookings: { total: number; active: number; cancelled: number };
    activeBookingsBySlot: Record<string, number>;
    overlappingActiveBookings: number;
    /** Injected faults so far, per kind. */
    faults?: Record<string, number>;
    webhooks?: { sent: number; delivered: number; failed: number };
  }> {
    return this.call('GET', '/_sim/stats');
  }
  bookings(): Promise<Array<{ uid: string; status: string; start: string; eventTypeId: number; metadata: Record<string, string> }>> {
    return this.call('GET', '/_sim/bookings');
  }
  setLatency(operation: string, spec: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/_sim/latency', { operation, spec });
  }
  setFaults(operation: string, config: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/_sim/faults', { operation, config });
  }
  setRateLimit(perMinute: number | null): Promise<unknown> {
    return this.call('PUT', '/_sim/rate-limit', { perMinute });
  }
  reset(): Promise<unknown> {
    return this.call('POST', '/_sim/reset', {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}
