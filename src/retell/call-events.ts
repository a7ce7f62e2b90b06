import type { CatalogIndex } from '../catalog/index.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Store } from '../store/index.ts';
import { callParties } from './call-parties.ts';
import type { RetellCall } from './payloads.ts';
import type { CallCosts } from '../store/index.ts';

const EVENTS = { call_started: 'started', call_ended: 'ended', call_analyzed: 'analyzed' } as const;
export type CallEventName = keyof typeof EVENTS;

export function isCallEvent(name: string): name is CallEventName {
  return name in EVENTS;
}

/** The company a call belongs to: the dialled number (ours), else the agent. */
export function companyOfCall(store: Store, call: RetellCall): Promise<string | undefined> {
  return store.tenants.companyForCall([callParties(call).business, call.agent_id]);
}

/**
 * Writes a call lifecycle event into the calls table. Costs per role are computed here,
 * once, so that statistics only sum columns: admin sees Retell's raw cost, resellers and
 * customers see it with their markup from the catalog.
 */
export async function recordCallEvent(
  deps: { store: Store; catalog: CatalogIndex; metrics: Metrics; now: () => number },
  event: CallEventName,
  call: RetellCall,
): Promise<{ companyId: string | null }> {
  const companyId = (await companyOfCall(deps.store, call)) ?? null;
  const company = companyId ? deps.catalog.company(companyId) : undefined;
  const raw = call.call_cost?.combined_cost;
  const costs: CallCosts | null =
    raw === null || raw === undefined
      ? null
      : {
          rawCents: raw,
          adminCents: raw,
          resellerCents: raw * (company?.billing.resellerMarkup ?? 1),
          customerCents: raw * (company?.billing.customerMarkup ?? 1),
        };
  const startedAt = Math.round(call.start_timestamp ?? deps.now());
  const endedAt = call.end_timestamp != null ? Math.round(call.end_timestamp) : null;
  // A dial attempt nobody answered is a call, but not one of 0 seconds: it has no duration.
  const duration = connected(call) ? (call.duration_ms ?? (endedAt !== null ? endedAt - startedAt : null)) : null;
  await deps.store.calls.upsert({
    callId: call.call_id,
    companyId,
    agentId: call.agent_id ?? null,
    fromNumber: call.from_number?.slice(0, 200) ?? null,
    toNumber: call.to_number?.slice(0, 200) ?? null,
    direction: call.direction ?? null,
    status: call.call_status ?? event.replace('call_', ''),
    startedAt,
    endedAt,
    durationMs: duration === null ? null : Math.round(duration),
    disconnectionReason: call.disconnection_reason ?? null,
    costs,
  });
  // A booking made before the call row existed still counts for the call.
  const booked = await deps.store.appointments.hasBookedForCall(call.call_id);
  if (booked) await deps.store.calls.markHasAppointment(call.call_id);
  deps.metrics.retellCalls.inc({ event: EVENTS[event] });
  if (event === 'call_ended' && booked) deps.metrics.callsWithAppointment.inc();
  return { companyId };
}

/**
 * Whether anyone was on the line: Retell reports unanswered or failed dials as `not_connected`
 * / `error` with a `dial_*` disconnection reason (retell-sdk `src/resources/call.ts`).
 */
function connected(call: RetellCall): boolean {
  if (call.call_status === 'not_connected' || call.call_status === 'error') return false;
  return !call.disconnection_reason?.startsWith('dial_');
}
