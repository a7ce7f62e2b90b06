import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { normalizeArgs } from '../../retell/args.ts';
import { companyOfCall, isCallEvent, recordCallEvent } from '../../retell/call-events.ts';
import { FUNCTIONS, commandIdFor, type FunctionReply } from '../../retell/functions.ts';
import { MESSAGES } from '../../retell/messages.ts';
import { callEventSchema, functionCallSchema, retellCallSchema, rootArgsSchema, type RetellCall } from '../../retell/payloads.ts';
import { verifyRetellSignature } from '../../retell/signature.ts';
import { measureWaits } from '../../observability/waits.ts';
import { parseJson, readRawBody, validate } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

/** Error codes that mean "we failed", as opposed to the caller asking for something impossible. */
const TECHNICAL = new Set(['technical_error', 'calcom_error', 'save_failed', 'booking_outcome_unknown', 'handler_error', 'closed', 'internal_error']);

export function retellRoutes(deps: HttpDeps): Router {
  const router = new Router();

  router.post('/retell/function', speakable, async (ctx) => {
    const body = validate(functionCallSchema, parseJson(await signedBody(ctx, deps)));
    await respond(ctx, () => runFunction(deps, body.call, body.name, body.args));
  });

  router.post('/retell/functions/:name', speakable, async (ctx) => {
    const { call, ...args } = validate(rootArgsSchema, parseJson(await signedBody(ctx, deps)));
    const retellCall = validate(retellCallSchema, call ?? callFromRequest(ctx), 'missing_call');
    await respond(ctx, () => runFunction(deps, retellCall, ctx.params.name!, args));
  });

  router.post('/retell/webhook', async (ctx) => {
    const body = validate(callEventSchema, parseJson(await signedBody(ctx, deps)));
    if (!isCallEvent(body.event)) {
      ctx.body = { success: true, ignored: body.event };
      return;
    }
    const { companyId } = recordCallEvent({ ...deps.core, now: deps.now }, body.event, body.call);
    ctx.body = { success: true, company: companyId };
  });

  return router;
}

/** Refusals the voice agent can say: which German sentence answers which refusal code. */
const SPOKEN_REFUSALS: Record<string, string> = { unknown_tenant: MESSAGES.unknown_tenant };

/**
 * A function call refused before it ran (bad signature, body, function or number) is still
 * answered with a sentence the agent can say; the reason stays in `detail` for the logs.
 */
async function speakable(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw new HttpError(error.status, error.code, SPOKEN_REFUSALS[error.code] ?? MESSAGES.technical_error, error.details, error.message);
  }
}

/** Runs a function and says in `Server-Timing` how much of its time it waited on Cal.com and in a mailbox. */
async function respond(ctx: Context, run: () => Promise<FunctionReply>): Promise<void> {
  const started = performance.now();
  const { result, calcomMs, mailboxMs } = await measureWaits(run);
  ctx.set('Server-Timing', `calcom;dur=${calcomMs.toFixed(1)}, mailbox;dur=${mailboxMs.toFixed(1)}, function;dur=${(performance.now() - started).toFixed(1)}`);
  ctx.body = result;
}

/** The raw body, after its Retell signature checked out (401 otherwise, nothing processed). */
async function signedBody(ctx: Context, deps: HttpDeps): Promise<string> {
  const raw = await readRawBody(ctx, deps.config.bodyLimitBytes);
  if (!verifyRetellSignature(raw, ctx.get('x-retell-signature') || undefined, deps.config.retellApiKey, deps.now())) {
    throw new HttpError(401, 'invalid_signature', 'x-retell-signature is missing or does not match');
  }
  return raw;
}

/** With args at the root, Retell can pass the call through headers or the query string. */
function callFromRequest(ctx: Context): Record<string, unknown> {
  const pick = (name: string) => ctx.get(`x-retell-${name.replace(/_/g, '-')}`) || (typeof ctx.query[name] === 'string' ? ctx.query[name] : undefined);
  return Object.fromEntries(['call_id', 'agent_id', 'from_number', 'to_number', 'direction'].map((k) => [k, pick(k)]).filter(([, v]) => v));
}

async function runFunction(deps: HttpDeps, call: RetellCall, name: string, args: Record<string, unknown>): Promise<FunctionReply> {
  const { core } = deps;
  const functionName = core.catalog.functionName(name);
  const handler = FUNCTIONS[functionName];
  if (!handler) {
    const known = [...Object.keys(FUNCTIONS), ...Object.keys(core.catalog.catalog.functionAliases)];
    throw new HttpError(404, 'unknown_function', `unknown function "${name}"`, { known });
  }
  const companyId = companyOfCall(core.store, call);
  const company = companyId ? core.catalog.company(companyId) : undefined;
  if (!company) throw new HttpError(403, 'unknown_tenant', `no business is assigned to the number ${call.to_number ?? '(none)'}`);

  const started = performance.now();
  const normalized = normalizeArgs(args);
  const log = deps.logger.child({ callId: call.call_id, function: functionName, company: company.id });
  const ctx = {
    company,
    call,
    functionName,
    commandId: commandIdFor(call.call_id, functionName, normalized),
    deadlineMs: deps.config.functionDeadlineMs,
    now: deps.now,
    booking: core.booking,
    catalog: core.catalog,
    store: core.store,
    log,
  };
  const reply = await withDeadline(handler(ctx, normalized), deps.config.functionDeadlineMs).catch((error): FunctionReply => {
    log.error({ err: error }, 'function failed');
    return { success: false, error: 'technical_error', message: MESSAGES.technical_error };
  });
  const outcome = reply.success ? 'success' : reply.error === 'still_processing' ? 'pending' : TECHNICAL.has(reply.error ?? '') ? 'error' : 'rejected';
  core.metrics.retellFunctionDuration.observe({ function: functionName, outcome }, (performance.now() - started) / 1000);
  log.info({ commandId: ctx.commandId, outcome, error: reply.error }, 'function answered');
  return reply;
}

/** Reads (availability) race the deadline too; the work goes on and warms the cache for the repeat. */
function withDeadline(work: Promise<FunctionReply>, ms: number): Promise<FunctionReply> {
  let timer: NodeJS.Timeout;
  const late = new Promise<FunctionReply>((resolve) => {
    timer = setTimeout(() => resolve({ success: false, error: 'still_processing', message: MESSAGES.still_processing }), ms);
  });
  work.catch(() => {}); // a late failure is logged by the repeat, not left unhandled
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
