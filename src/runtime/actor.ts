import type { Logger } from 'pino';

/** What a handler sees besides its input: the key it owns and a logger bound to the command. */
export interface ActorContext {
  key: string;
  commandId: string;
  callId: string | undefined;
  deadline: number;
  /**
   * How long the command waited for earlier commands of its mailbox to finish, as far as this
   * process saw them (a wait behind another process's command counts as none). Not the time
   * BullMQ took to hand it over: that is the runtime's own.
   */
  waitedBehindMs: number;
  log: Logger;
  /**
   * Marks this run's reply as not final: the asker still receives it, but the command id
   * is released afterwards, so asking again with the same id runs the command again
   * (for transient failures such as Cal.com being down).
   */
  releaseId(): void;
}

export type Handler<In = any, Out = unknown> = (ctx: ActorContext, input: In) => Promise<Out> | Out;

/**
 * A virtual object in the Restate sense: a name plus a map of handlers. Keys of the form
 * `{name}:{…}` are routed to it; each key's commands run one at a time, in order.
 * Effects (store, Cal.com client, clock) are closed over when the actor is built.
 */
export interface Actor {
  name: string;
  handlers: Record<string, Handler>;
}

export function defineActor<H extends Record<string, Handler>>(name: string, handlers: H): Actor & { handlers: H } {
  return { name, handlers };
}

export function actorNameOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}
