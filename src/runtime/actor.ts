import type { Logger } from 'pino';
import { z } from 'zod';

/** What a handler sees besides its input: the key it owns and a logger bound to the command. */
export interface ActorContext {
  key: string;
  commandId: string;
  callId: string | undefined;
  deadline: number;
  /** The handler's name (`book`, `cancel`, …). */
  type: string;
  /** `run` for the command as it arrives, `settle` when an effect's result comes back to the key. */
  phase: 'run' | 'settle';
  /**
   * How long the command waited for earlier commands of its mailbox to finish, as far as this
   * process saw them (a wait behind another process's command counts as none). Not the time
   * BullMQ took to hand it over: that is the runtime's own.
   */
  waitedBehindMs: number;
  /** Time this command's effects have taken so far (outside the mailbox), in ms. */
  effectMs: number;
  /** Of `effectMs`, the time they waited on outside services (Cal.com requests, as `measureWaits` counts them). */
  effectWaitMs: number;
  log: Logger;
  /**
   * Marks this run's reply as not final: the asker still receives it, but the command id
   * is released afterwards, so asking again with the same id runs the command again
   * (for transient failures such as Cal.com being down).
   */
  releaseId(): void;
  /**
   * Ends this step without answering yet: `effect` runs outside the mailbox (the key's other
   * commands go on meanwhile and see whatever intent this step recorded), and its result comes
   * back to this key as the handler's `settle` step — Akka's pipeTo, Restate's awakeable.
   */
  defer<E>(effect: E): Deferred<E>;
}

/** What an effect sees: no mailbox, so no state of the actor to decide on — only the work. */
export interface EffectContext {
  key: string;
  commandId: string;
  callId: string | undefined;
  log: Logger;
  /** This effect ran before (its process died mid-way): what it did then must be looked for, not repeated. */
  redelivered: boolean;
}

const DEFERRED = Symbol('deferred');
/** A step's "not yet": the effect to run before the handler settles. */
export interface Deferred<E> {
  readonly [DEFERRED]: true;
  readonly effect: E;
}
export const deferred = <E>(effect: E): Deferred<E> => ({ [DEFERRED]: true, effect });
export const isDeferred = (value: unknown): value is Deferred<unknown> => typeof value === 'object' && value !== null && DEFERRED in value;

/** An effect's result as it comes back: its value, or what it threw. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: string };

type Step<O, E> = O | Deferred<E> | Promise<O | Deferred<E>>;

/**
 * One handler of an actor, declared with its input schema (parsed before the handler runs; a
 * bad input is refused as `invalid_command`). `run` decides inside the mailbox; when it defers,
 * `effect` runs outside it and `settle` decides again, inside, with the effect's result. A
 * settle may defer again (e.g. a compensation), until a step answers.
 */
export interface HandlerDefinition<S extends z.ZodType = z.ZodType, O = unknown, E = never, R = never> {
  input: S;
  /** Declared per handler, read by the actor's middleware (e.g. which metric label, whether results are kept). */
  options?: HandlerOptions;
  run(ctx: ActorContext, input: z.output<S>): Step<O, E>;
  effect?(ctx: EffectContext, effect: E): Promise<R>;
  settle?(ctx: ActorContext, input: z.output<S>, effect: E, result: Settled<R>): Step<O, E>;
}

export function handler<S extends z.ZodType, O, E = never, R = never>(definition: HandlerDefinition<S, O, E, R>): HandlerDefinition<S, O, E, R> {
  return definition;
}

/** Options a handler declares for its actor's middleware; open for each actor to extend. */
export interface HandlerOptions {
  [option: string]: unknown;
}

/** A handler without schema or effects: any input, one step. */
export type Handler<Out = unknown> = (ctx: ActorContext, input: any) => Promise<Out> | Out;

/** One step of one command, as middleware sees it. */
export interface HandlerCall {
  ctx: ActorContext;
  input: unknown;
  options: HandlerOptions;
  /** In a `settle` step: the effect the last step deferred, and how it came back. */
  settling?: { effect: unknown; result: Settled<unknown> };
}

/**
 * Wraps every step of every handler of an actor, koa-style: `next()` runs the inner layers and
 * the step, and resolves to its result (an answer, or a Deferred). The envelope a handler needs
 * (stored results for a repeated id, release on transient errors, outcome metrics, waits) is
 * written once as middleware, not per handler.
 */
export type Middleware = (call: HandlerCall, next: () => Promise<unknown>) => Promise<unknown>;

export function compose(middleware: Middleware[], step: (call: HandlerCall) => Promise<unknown>): (call: HandlerCall) => Promise<unknown> {
  return (call) => {
    const dispatch = (i: number): Promise<unknown> => (i === middleware.length ? step(call) : middleware[i]!(call, () => dispatch(i + 1)));
    return dispatch(0);
  };
}

type AnyDefinition = HandlerDefinition<z.ZodType, any, any, any>;

/**
 * A virtual object in the Restate sense: a name plus a map of handlers. Keys of the form
 * `{name}:{…}` are routed to it; each key's commands run one at a time, in order.
 * Effects (store, Cal.com client, clock) are closed over when the actor is built.
 */
export interface Actor<H extends Record<string, AnyDefinition> = Record<string, AnyDefinition>> {
  name: string;
  handlers: H;
  use: Middleware[];
}

type Normalized<H> = { [K in keyof H]: H[K] extends AnyDefinition ? H[K] : H[K] extends Handler<infer O> ? HandlerDefinition<z.ZodType<unknown>, Awaited<O>> : never };

export function defineActor<H extends Record<string, AnyDefinition | Handler>>(name: string, handlers: H, options: { use?: Middleware[] } = {}): Actor<Normalized<H>> {
  const normalized = Object.fromEntries(
    Object.entries(handlers).map(([type, h]) => [type, typeof h === 'function' ? { input: z.unknown(), run: h } : h]),
  );
  return { name, handlers: normalized as Normalized<H>, use: options.use ?? [] };
}

export function actorNameOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

/** What a handler answers in the end (its steps' answers, never a Deferred). */
export type OutputOf<D> = D extends HandlerDefinition<z.ZodType, infer O, any, any> ? O : never;
export type InputOf<D> = D extends HandlerDefinition<infer S, any, any, any> ? z.input<S> : never;
