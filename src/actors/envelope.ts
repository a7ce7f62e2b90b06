import { measureWaits } from '../observability/waits.ts';
import { isDeferred, type HandlerOptions, type Middleware } from '../runtime/actor.ts';
import type { Store } from '../store/index.ts';
import type { BookingCommand, BookingOutcome } from './deps.ts';

/** What a slot-actor handler declares for the envelope (see `slotEnvelope`). */
export interface SlotHandlerOptions extends HandlerOptions {
  /** The `booking_commands_total` label its answers count under. */
  outcome?: BookingCommand;
  /** Its final answer is kept in the store: a late repeat gets it even after BullMQ forgot the job. */
  remember?: boolean;
  /** It answers what is true now, never a stored reply: every ask runs it (claims, releases). */
  fresh?: boolean;
  /** Its answer carries the command's Cal.com and mailbox waits (for the front door's Server-Timing). */
  timed?: boolean;
}

/** Every answer of a slot actor carries a `status` (`error` is the transient one). */
interface Answer {
  status: string;
}

const metricOutcomeOf = (answer: Answer): BookingOutcome =>
  answer.status === 'slot_unavailable' ? 'slot_unavailable' : answer.status === 'rejected' ? 'rejected' : answer.status === 'error' ? 'error' : 'success';

/**
 * The envelope around every step of every slot-actor handler, composed once (koa-style):
 * a repeated id gets the stored first answer; a transient `error` releases the id so a retry
 * runs again; final answers are counted; and each step's Cal.com and mailbox waits ride on the
 * answer for the asker's Server-Timing.
 */
export function slotEnvelope(deps: { store: Store; observeOutcome?(command: BookingCommand, outcome: BookingOutcome): void }): Middleware[] {
  const rememberResults: Middleware = async ({ ctx, options }, next) => {
    const { remember } = options as SlotHandlerOptions;
    if (remember && ctx.phase === 'run') {
      const finished = await deps.store.commandResults.get<Answer>(ctx.commandId);
      if (finished) return finished; // a late repeat gets the first answer, even once the start has passed
    }
    const answer = await next();
    if (!isDeferred(answer) && remember && (answer as Answer).status !== 'error') await deps.store.commandResults.put(ctx.commandId, ctx.type, ctx.key, answer);
    return answer;
  };

  const releaseTransient: Middleware = async ({ ctx, options }, next) => {
    if ((options as SlotHandlerOptions).fresh) ctx.releaseId();
    const answer = await next();
    if (!isDeferred(answer) && (answer as Answer | null)?.status === 'error') ctx.releaseId(); // transient: the same id may try again
    return answer;
  };

  const countOutcomes: Middleware = async ({ options }, next) => {
    const answer = await next();
    const command = (options as SlotHandlerOptions).outcome;
    if (command && !isDeferred(answer)) deps.observeOutcome?.(command, metricOutcomeOf(answer as Answer));
    return answer;
  };

  const reportWaits: Middleware = async ({ ctx, options }, next) => {
    const { result, calcomMs } = await measureWaits(next);
    if (isDeferred(result) || !(options as SlotHandlerOptions).timed || typeof result !== 'object' || result === null) return result;
    // Only the Cal.com requests count as waits: the effect's own work (payloads, checks) is ours.
    return { ...result, calcomMs: Math.round((calcomMs + ctx.effectWaitMs) * 10) / 10, mailboxMs: ctx.waitedBehindMs };
  };

  return [reportWaits, releaseTransient, rememberResults, countOutcomes];
}
