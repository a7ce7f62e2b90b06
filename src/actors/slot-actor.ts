import { defineActor } from '../runtime/actor.ts';
import { book } from './book.ts';
import { cancel } from './cancel.ts';
import type { SlotActorDeps } from './deps.ts';
import { reconcile, settle } from './reconcile.ts';
import { rescheduleIn, rescheduleOut } from './reschedule.ts';

/**
 * The slot actor: one per bookable calendar on one local day
 * (`slot:{companyId}:{calendarKey}:{YYYY-MM-DD}`). Its commands run one at a time, in order.
 */
export function createSlotActor(deps: SlotActorDeps) {
  return defineActor('slot', {
    book: (ctx, input) => book(deps, ctx, input),
    cancel: (ctx, input) => cancel(deps, ctx, input),
    reschedule: (ctx, input) => rescheduleIn(deps, ctx, input),
    rescheduleOut: (ctx, input) => rescheduleOut(deps, ctx, input),
    reconcile: (ctx, input) => reconcile(deps, ctx, input),
    settle: (ctx, input) => settle(deps, ctx, input),
  });
}
