import { randomUUID } from 'node:crypto';
import { signRetellBody } from './signature.ts';

export interface CallerResponse {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

export interface CallerOptions {
  baseUrl: string;
  apiKey: string;
  /** The number dialled (identifies the business). */
  toNumber: string;
  fromNumber: string;
  callId?: string;
}

/**
 * Plays Retell's side of a call: signed function calls and lifecycle webhooks, as Retell
 * sends them. Used by `npm run demo`, the HTTP tests and the load scenarios.
 */
export class RetellCaller {
  readonly callId: string;

  constructor(private readonly options: CallerOptions) {
    this.callId = options.callId ?? `call_${randomUUID().replace(/-/g, '')}`;
  }

  get call() {
    return { call_id: this.callId, agent_id: 'agent_demo', from_number: this.options.fromNumber, to_number: this.options.toNumber, direction: 'inbound' };
  }

  /** `POST /retell/function` with `{call, name, args}`. */
  fn(name: string, args: Record<string, unknown> = {}): Promise<CallerResponse> {
    return this.post('/retell/function', { call: this.call, name, args });
  }

  /** `POST /retell/webhook` with a lifecycle event. */
  event(event: 'call_started' | 'call_ended' | 'call_analyzed', extra: Record<string, unknown> = {}) {
    return this.post('/retell/webhook', { event, call: { ...this.call, ...extra } });
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<CallerResponse> {
    const raw = JSON.stringify(body);
    const response = await fetch(`${this.options.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-retell-signature': signRetellBody(raw, this.options.apiKey), ...headers },
      body: raw,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  }
}
