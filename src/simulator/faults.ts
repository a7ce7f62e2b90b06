import type { SimOperation } from './operations.ts';
import { normal, type Rng } from './rng.ts';

/**
 * What can go wrong with one request:
 * - `429`: rate limited as Cal.com's throttler answers: X-RateLimit-*-Default headers,
 *   reset in seconds, no Retry-After
 * - `5xx`: server error, nothing done
 * - `timeout`: the request hangs longer than any client waits, nothing done
 * - `drop`: the connection is destroyed before anything is done
 * - `take_effect_then_drop`: the request is carried out, then the connection is
 *   destroyed instead of answering — the "unknown outcome" a client must reconcile
 * - `shift_start`: a create books 30 minutes later than asked (a misbehaving Cal.com
 *   answering with another booking than the one requested)
 * - `none`: no fault; a placeholder in scripted queues ("the second create fails")
 */
export const FAULT_KINDS = ['429', '5xx', 'timeout', 'drop', 'take_effect_then_drop', 'shift_start', 'none'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type LatencySpec =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /**
   * Log-normal fitted so that `coverage` of samples fall in [lowMs, highMs]
   * (default 95 % within 400–2000 ms, as Cal.com behaved in production; median ≈ 894 ms).
   * `scale` multiplies every sample (e.g. 0.01 for fast tests with the same shape).
   */
  | { kind: 'lognormal'; lowMs?: number; highMs?: number; coverage?: number; scale?: number };

export interface FaultConfig {
  /** Probability per request, per kind; their sum should stay ≤ 1. */
  rates?: Partial<Record<FaultKind, number>>;
  /**
   * X-RateLimit-Reset-Default seconds sent with a 429 (default 1: a block about to end;
   * throttler-guard.ts sends no Retry-After). The rate limiter (`rateLimitPerMinute`)
   * gives the real 60 s block.
   */
  retryAfterSeconds?: number;
  /** Status of a `5xx` fault (default 500). */
  serverErrorStatus?: number;
  /** How long a `timeout` fault hangs before the socket is destroyed (default 30 s). */
  hangMs?: number;
}

export type OperationKey = SimOperation | '*';

export interface FaultDecision {
  latencyMs: number;
  fault: FaultKind | undefined;
  retryAfterSeconds: number;
  serverErrorStatus: number;
  hangMs: number;
}

/** Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9). */
export function probit(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** μ and σ of ln(X) such that P(low ≤ X ≤ high) = coverage, symmetric in log space. */
export function lognormalParams(lowMs = 400, highMs = 2000, coverage = 0.95): { mu: number; sigma: number } {
  const z = probit((1 + coverage) / 2);
  return { mu: (Math.log(lowMs) + Math.log(highMs)) / 2, sigma: (Math.log(highMs) - Math.log(lowMs)) / (2 * z) };
}

export function sampleLatency(spec: LatencySpec, rng: Rng): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * rng.next();
    case 'lognormal': {
      const { mu, sigma } = lognormalParams(spec.lowMs, spec.highMs, spec.coverage);
      return Math.exp(mu + sigma * normal(rng)) * (spec.scale ?? 1);
    }
  }
}

/**
 * Latency and faults per operation. A scripted queue (`queue`) is consumed first, so
 * tests can say "the next two slot requests get 429" and assert exact counts; random
 * rates model a flaky Cal.com for benchmarks. Settings for one operation override '*'.
 */
export class FaultPlan {
  private readonly latency = new Map<OperationKey, LatencySpec>();
  private readonly faults = new Map<OperationKey, FaultConfig>();
  private readonly queued = new Map<SimOperation, FaultKind[]>();

  constructor(private readonly rng: Rng) {}

  setLatency(operation: OperationKey, spec: LatencySpec): void {
    this.latency.set(operation, spec);
  }

  setFaults(operation: OperationKey, config: FaultConfig): void {
    this.faults.set(operation, config);
  }

  /** The next requests of `operation` get these faults, in order. */
  queue(operation: SimOperation, kinds: FaultKind[]): void {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...kinds]);
  }

  reset(): void {
    this.latency.clear();
    this.faults.clear();
    this.queued.clear();
  }

  decide(operation: SimOperation): FaultDecision {
    const config = { ...this.faults.get('*'), ...this.faults.get(operation) };
    const spec = this.latency.get(operation) ?? this.latency.get('*') ?? { kind: 'none' };
    return {
      latencyMs: Math.max(0, sampleLatency(spec, this.rng)),
      fault: this.queued.get(operation)?.shift() ?? this.draw(config.rates),
      retryAfterSeconds: config.retryAfterSeconds ?? 1,
      serverErrorStatus: config.serverErrorStatus ?? 500,
      hangMs: config.hangMs ?? 30_000,
    };
  }

  private draw(rates: FaultConfig['rates']): FaultKind | undefined {
    if (!rates) return undefined;
    const u = this.rng.next();
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      acc += rates[kind] ?? 0;
      if (u < acc) return kind;
    }
    return undefined;
  }
}
