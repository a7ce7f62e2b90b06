import { createHash } from 'node:crypto';
import type { CompanyConfig } from '../catalog/index.ts';
import { cleanPhone } from '../domain/index.ts';
import { remembered } from '../domain/remembered.ts';
import { placeholderArgs, normalizeArgs, type NormalizedArgs } from '../retell/args.ts';
import { companyOfCall } from '../retell/call-events.ts';
import { callParties } from '../retell/call-parties.ts';
import { CHANGING_FUNCTIONS, FUNCTIONS, stillProcessing, type FunctionContext, type FunctionReply } from '../retell/functions.ts';
import { MESSAGES, UNKNOWN_VALUE_MESSAGES } from '../retell/messages.ts';
import type { RetellCall } from '../retell/payloads.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';

/** One function call as the front door received it: a signed call object, or an agent URL's company. */
export interface FunctionRequest {
  call?: RetellCall;
  company?: CompanyConfig;
  name: string;
  args: Record<string, unknown>;
  /** The request's x-retell-signature (identifies an args-only request, which has no call). */
  signature: string;
}

/** Error codes that mean "we failed", as opposed to the caller asking for something impossible. */
const TECHNICAL = new Set(['technical_error', 'calcom_error', 'calcom_busy', 'save_failed', 'booking_outcome_unknown', 'handler_error', 'closed', 'internal_error']);

export async function runFunction(deps: HttpDeps, request: FunctionRequest): Promise<FunctionReply> {
  const { core } = deps;
  const functionName = core.catalog.functionName(request.name);
  const handler = FUNCTIONS[functionName];
  if (!handler) {
    const known = [...Object.keys(FUNCTIONS), ...Object.keys(core.catalog.catalog.functionAliases)];
    throw new HttpError(404, 'unknown_function', `unknown function "${request.name}"`, { known });
  }
  const call = request.call;
  const companyId = request.company?.id ?? (call ? await companyOfCall(core.store, call) : undefined);
  const company = companyId ? core.catalog.company(companyId) : undefined;
  if (!company) throw new HttpError(403, 'unknown_tenant', `no business is assigned to the number ${call?.to_number ?? '(none)'}`);

  const started = performance.now();
  // Without a call (args-only) the signature, accepted once, is the only identity the request has.
  const callId = call?.call_id ?? `request:${createHash('sha256').update(request.signature).digest('hex').slice(0, 24)}`;
  const log = deps.logger.child({ callId, function: functionName, company: company.id });
  const normalized = normalizeArgs(request.args);
  const fingerprint = fingerprintOf(functionName, normalized);
  const commandId = `${company.id}:${callId}:${fingerprint}@${await core.store.callChanges.lastOtherChange(company.id, callId, fingerprint)}`;
  const ctx: FunctionContext = {
    company,
    callId,
    customerPhone: call ? customerPhoneOf(call) : undefined,
    functionName,
    commandId,
    deadlineMs: deps.config.functionDeadlineMs,
    horizonDays: deps.config.bookingHorizonDays,
    now: deps.now,
    booking: core.booking,
    catalog: core.catalog,
    store: core.store,
    log,
  };
  const unknown = placeholderArgs(request.args);
  const run = unknown.length
    ? Promise.resolve<FunctionReply>({ success: false, error: 'unknown_value', message: UNKNOWN_VALUE_MESSAGES[unknown[0]!] ?? MESSAGES.unknown_value, fields: unknown })
    : handler(ctx, normalized);
  const reply = await withDeadline(run, deps.config.functionDeadlineMs).catch((error): FunctionReply => {
    log.error({ err: error }, 'function failed');
    return { success: false, error: 'technical_error', message: MESSAGES.technical_error };
  });
  if (reply.success && CHANGING_FUNCTIONS.has(functionName)) await core.store.callChanges.record(company.id, callId, fingerprint, commandId);
  const outcome = reply.success ? 'success' : reply.error === 'still_processing' ? 'pending' : TECHNICAL.has(reply.error ?? '') ? 'error' : 'rejected';
  core.metrics.retellFunctionDuration.observe({ function: functionName, outcome }, (performance.now() - started) / 1000);
  log.info({ commandId, outcome, error: reply.error }, 'function answered');
  return reply;
}

/**
 * The customer's own number, cleaned once here: only a real number counts — a withheld id (Twilio's
 * "+266696687", "anonymous") is none, so the caller is asked for one.
 */
function customerPhoneOf(call: RetellCall): string | undefined {
  const raw = callParties(call).customer;
  return raw ? cleanedCustomerPhone(raw) : undefined;
}
/** A call asks several functions from one number: libphonenumber's ~0.5 ms is spent once per number. */
const cleanedCustomerPhone = remembered((raw) => {
  const phone = cleanPhone(raw);
  return phone.ok ? phone.value : undefined;
});

/** The same function with the same args, however the LLM ordered or spelled its keys. */
function fingerprintOf(functionName: string, args: NormalizedArgs): string {
  const canonical = JSON.stringify([functionName, Object.keys(args).sort().map((k) => [k, args[k as keyof NormalizedArgs]])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Reads (availability) race the deadline too; the work goes on and warms the cache for the repeat. */
function withDeadline(work: Promise<FunctionReply>, ms: number): Promise<FunctionReply> {
  let timer: NodeJS.Timeout;
  const late = new Promise<FunctionReply>((resolve) => {
    timer = setTimeout(() => resolve(stillProcessing()), ms);
  });
  work.catch(() => {}); // a late failure is logged by the repeat, not left unhandled
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
