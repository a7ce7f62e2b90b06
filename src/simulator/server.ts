import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { matchRoute, type RouteMatch } from './api.ts';
import { DEFAULT_HOURS, type WeeklyHours } from './calendar.ts';
import { handleControl } from './control-http.ts';
import {
  createControl,
  weeklyHoursSchema,
  type EventTypeInput,
  type HostInput,
  type SimulatorControl,
  type WeeklyHoursInput,
} from './control.ts';
import { errorBody, SimHttpError } from './envelope.ts';
import type { FaultConfig, FaultDecision, LatencySpec } from './faults.ts';
import { createRng } from './rng.ts';
import { SimState } from './state.ts';
import type { WebhookTarget } from './webhooks.ts';

export interface CalcomSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed for uids, latencies and random faults; same seed, same run. */
  randomSeed?: number | string;
  /** Calendar time zone (default Europe/Berlin). */
  timeZone?: string;
  /** Weekly hours (default Mon–Fri 09:00–18:00). */
  hours?: WeeklyHoursInput;
  hosts?: HostInput[];
  eventTypes?: EventTypeInput[];
  /** When set, a request carrying another Bearer key gets 401. */
  apiKey?: string;
  webhook?: WebhookTarget;
  /** Latency and faults for every operation (refine per operation through `control`). */
  latency?: LatencySpec;
  faults?: FaultConfig;
  /** Cal.com-like throttling per API key / client address (120 for an API key in production); off by default. */
  rateLimitPerMinute?: number;
  /** False: the create DTO has no `reservedSlotUid` (some 2024-08-13 versions); default true. */
  acceptsReservedSlotUid?: boolean;
  /** A create hitting someone else's reservation: 409 (newer Cal.com, default) or 400 (older). */
  reservationConflictStatus?: 409 | 400;
  /** Wall clock, epoch ms. */
  clock?: () => number;
}

export interface CalcomSimulator {
  /** Base URL to give the client, e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  control: SimulatorControl;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

/** The `shift_start` fault: the booking is made half an hour later than the body asks. */
function shiftStart(body: unknown): void {
  const request = body as { start?: unknown } | undefined;
  if (typeof request?.start === 'string') request.start = new Date(Date.parse(request.start) + 30 * 60_000).toISOString();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SimHttpError(413, 'Payload too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SimHttpError(400, (err as Error).message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Starts a simulated Cal.com API v2 on node:http. Nothing runs before this is called;
 * `close()` ends hanging requests, open sockets and webhook delivery.
 */
export async function startCalcomSimulator(options: CalcomSimulatorOptions = {}): Promise<CalcomSimulator> {
  const timeZone = options.timeZone ?? 'Europe/Berlin';
  const hours: WeeklyHours = options.hours ? weeklyHoursSchema.parse(options.hours) : DEFAULT_HOURS;
  const state = new SimState({
    timeZone,
    hours,
    rng: createRng(options.randomSeed ?? Date.now()),
    clock: options.clock ?? Date.now,
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
    ...(options.webhook && { webhook: options.webhook }),
    ...(options.rateLimitPerMinute !== undefined && { rateLimitPerMinute: options.rateLimitPerMinute }),
    ...(options.acceptsReservedSlotUid !== undefined && { acceptsReservedSlotUid: options.acceptsReservedSlotUid }),
    ...(options.reservationConflictStatus !== undefined && { reservationConflictStatus: options.reservationConflictStatus }),
  });
  const control = createControl(state, { timeZone, hours });
  for (const host of options.hosts ?? []) control.addHost(host);
  for (const et of options.eventTypes ?? []) control.addEventType(et);
  if (options.latency) control.setLatency('*', options.latency);
  if (options.faults) control.setFaults('*', options.faults);

  const closing = new AbortController();
  const now = () => new Date(state.now());

  async function serveApi(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, match: RouteMatch) {
    const op = match.operation;
    state.countRequest(op);
    const text = await readBody(req);

    // Cal.com's throttler sets its X-RateLimit-*-Default headers on every answer (throttler-guard.ts).
    const limit = state.rateLimiter.check(String(req.headers.authorization ?? req.socket.remoteAddress ?? 'anonymous'));
    if (!limit.allowed) {
      state.countResponse(op, '429');
      send(res, 429, errorBody(429, 'Too many requests. Please try again later.', req.url ?? pathname, now()), limit.headers);
      return;
    }

    const decision: FaultDecision = state.faults.decide(op);
    if (decision.fault === 'none') decision.fault = undefined;
    if (decision.fault) state.countFault(decision.fault);
    // Latency is not cut short when the client gives up: like Cal.com, the request is
    // still carried out, which is exactly how a client timeout becomes an unknown outcome.
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, undefined, { signal: closing.signal });

    switch (decision.fault) {
      case 'drop':
        state.countResponse(op, 'drop');
        req.socket.destroy();
        return;
      case 'timeout': {
        state.countResponse(op, 'timeout');
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        await sleep(decision.hangMs, undefined, { signal: AbortSignal.any([closing.signal, gone.signal]) }).catch(() => {});
        req.socket.destroy();
        return;
      }
      case '429': {
        // As Cal.com's throttler answers a blocked key: no Retry-After, the reset in seconds, and the
        // limit this Cal.com applies (Cal.com's default for API keys when none is configured).
        state.countResponse(op, '429');
        send(res, 429, errorBody(429, 'Too many requests. Please try again later.', req.url ?? pathname, now()), {
          'x-ratelimit-limit-default': String(state.rateLimiter.perMinute ?? 120),
          'x-ratelimit-remaining-default': '0',
          'x-ratelimit-reset-default': String(decision.retryAfterSeconds),
        });
        return;
      }
      case '5xx':
        state.countResponse(op, String(decision.serverErrorStatus));
        send(res, decision.serverErrorStatus, errorBody(decision.serverErrorStatus, 'Internal server error', req.url ?? pathname, now()));
        return;
    }

    let status: number;
    let body: unknown;
    let codeOverride: string | undefined;
    const webhooksBefore = state.webhooks.flush(); // the sender's chain; an emit replaces it
    try {
      const requestBody = parseJson(text);
      if (decision.fault === 'shift_start') shiftStart(requestBody);
      ({ status, body } = match.run(state, { method: req.method ?? 'GET', pathname, query, headers: req.headers, body: requestBody }));
    } catch (err) {
      if (!(err instanceof SimHttpError)) throw err;
      status = err.status;
      codeOverride = err.code;
      body = errorBody(err.status, err.message, req.url ?? pathname, now(), codeOverride);
    }
    // Cal.com delivers the webhooks a request caused before it answers that request: the booking
    // handler awaits handleWebhookTrigger, which awaits every sendPayload (RegularBookingService.ts,
    // handleWebhookTrigger.ts; handleCancelBooking.ts awaits its sendPayload promises alike).
    // A request that caused none (a read) does not wait for other requests' deliveries.
    const webhooksCaused = state.webhooks.flush();
    if (webhooksCaused !== webhooksBefore) await webhooksCaused;
    if (decision.fault === 'take_effect_then_drop') {
      state.countResponse(op, 'take_effect_then_drop');
      req.socket.destroy();
      return;
    }
    state.countResponse(op, String(status));
    send(res, status, body, limit.headers);
  }

  async function serveControl(req: IncomingMessage, res: ServerResponse, pathname: string) {
    try {
      const result = await handleControl(control, req.method ?? 'GET', pathname, parseJson(await readBody(req)));
      send(res, result.status, result.body);
    } catch (err) {
      if (err instanceof z.ZodError) send(res, 400, { error: z.prettifyError(err), issues: err.issues });
      else throw err;
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    const work = url.pathname.startsWith('/_sim/')
      ? serveControl(req, res, url.pathname)
      : match
        ? serveApi(req, res, url.pathname, url.searchParams, match)
        : Promise.reject(new SimHttpError(404, `Cannot ${req.method} ${url.pathname}`));
    work.catch((err: unknown) => {
      if (closing.signal.aborted) return;
      const status = err instanceof SimHttpError ? err.status : 500;
      send(res, status, errorBody(status, err instanceof Error ? err.message : String(err), req.url ?? '/', now()));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    control,
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await state.webhooks.close();
    },
  };
}
