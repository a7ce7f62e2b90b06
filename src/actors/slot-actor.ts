import { defineActor } from '../runtime/actor.ts';
import type { ActorClient } from '../runtime/actor-runtime.ts';
import { bookHandler } from './book.ts';
import { cancelHandler } from './cancel.ts';
import type { SlotActorDeps } from './deps.ts';
import { slotEnvelope } from './envelope.ts';
import { claimHandler, releaseHandler } from './hold.ts';
import { reconcileHandler } from './reconcile.ts';
import { rescheduleHandler, rescheduleOutHandler } from './reschedule.ts';
import { settleHandler } from './settle.ts';

/**
 * The slot actor: one per bookable calendar on one local day
 * (`slot:{companyId}:{calendarKey}:{YYYY-MM-DD}`). Its commands run one at a time, in order;
 * their Cal.com work runs outside the mailbox as effects whose results settle back here.
 */
export function createSlotActor(deps: SlotActorDeps) {
  return defineActor(
    'slot',
    {
      book: bookHandler(deps),
      cancel: cancelHandler(deps),
      reschedule: rescheduleHandler(deps),
      rescheduleOut: rescheduleOutHandler(deps),
      claim: claimHandler(deps),
      release: releaseHandler(deps),
      reconcile: reconcileHandler(deps),
      settle: settleHandler(deps),
    },
    { use: slotEnvelope(deps) },
  );
}

export type SlotActor = ReturnType<typeof createSlotActor>;
export type SlotClient = ActorClient<SlotActor>;
