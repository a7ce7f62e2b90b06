import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

export interface TransportRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with query, beginning with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * A request that got no HTTP answer. `notSent` is true only when the connection was
 * never established — then the server surely did not act and even a create may be
 * repeated.
 */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly kind: 'network' | 'timeout',
    readonly notSent: boolean,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(kind === 'timeout' ? 'request timed out' : `network error ${code ?? ''}`.trim(), { cause });
  }
}

/** Failures that happen before a single byte of the request reached the server. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface TransportOptions {
  /** Max sockets kept to Cal.com. */
  connections?: number;
  connectTimeoutMs?: number;
  /** Idle keep-alive; kept below typical server timeouts so we rarely write to a closing socket. */
  keepAliveTimeoutMs?: number;
}

/** One keep-alive undici pool to one origin; a timeout per request that covers headers and body. */
export class HttpTransport {
  private readonly pool: Pool;

  constructor(origin: string, options: TransportOptions = {}) {
    this.pool = new Pool(origin, {
      connections: options.connections ?? 16,
      connectTimeout: options.connectTimeoutMs ?? 3000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
      pipelining: 1,
    });
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    try {
      const res = await this.pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      const code = errorCode(err);
      if (timedOut) throw new TransportError('timeout', false, code, err);
      throw new TransportError('network', code !== undefined && CONNECT_CODES.has(code), code, err);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
