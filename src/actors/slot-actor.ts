import { measureWaits, type Waits } from '../observability/waits.ts';
import { defineActor, type ActorContext } from '../runtime/actor.ts';
import { book } from './book.ts';
import { cancel } from './cancel.ts';
import { claim, release } from './hold.ts';
import type { SlotActorDeps } from './deps.ts';
import { reconcile, settle } from './reconcile.ts';
import { rescheduleIn, rescheduleOut } from './reschedule.ts';

/**
 * The slot actor: one per bookable calendar on one local day
 * (`slot:{companyId}:{calendarKey}:{YYYY-MM-DD}`). Its commands run one at a time, in order.
 */
export function createSlotActor(deps: SlotActorDeps) {
  return defineActor('slot', {
    book: timed((ctx, input) => book(deps, ctx, input)),
    cancel: timed((ctx, input) => cancel(deps, ctx, input)),
    reschedule: timed((ctx, input) => rescheduleIn(deps, ctx, input)),
    rescheduleOut: (ctx, input) => rescheduleOut(deps, ctx, input),
    claim: (ctx, input) => claim(deps, ctx, input),
    release: (ctx, input) => release(deps, ctx, input),
    reconcile: (ctx, input) => reconcile(deps, ctx, input),
    settle: (ctx, input) => settle(deps, ctx, input),
  });
}

/** Replies carry the command's waits (on Cal.com, in its mailbox) for the asker's Server-Timing. */
function timed<R extends object>(handler: (ctx: ActorContext, input: unknown) => Promise<R>) {
  return async (ctx: ActorContext, input: unknown): Promise<R & Waits> => {
    const { result, calcomMs } = await measureWaits(() => handler(ctx, input));
    return { ...result, calcomMs: Math.round(calcomMs * 10) / 10, mailboxMs: ctx.waitedBehindMs };
  };
}
