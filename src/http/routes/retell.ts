import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { isCallEvent, recordCallEvent } from '../../retell/call-events.ts';
import { runFunction, type FunctionRequest } from '../retell-function.ts';
import { MESSAGES } from '../../retell/messages.ts';
import { functionCallSchema, retellCallSchema, rootArgsSchema, webhookEnvelopeSchema } from '../../retell/payloads.ts';
import { verifyRetellSignature } from '../../retell/signature.ts';
import { measureWaits } from '../../observability/waits.ts';
import { parseJson, readRawBody, validate } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

/**
 * Retell's side of the front door. Only signed bytes (the body) and static configuration (the
 * catalog, an agent URL's token) decide tenant, call, caller and function; headers and query
 * never do. Everything the agent should hear is a 200 — Retell retries any other status and
 * never speaks its body — so only a bad or replayed signature is a 401.
 */
export function retellRoutes(deps: HttpDeps): Router {
  const router = new Router();
  const { limits } = deps.config;

  router.post('/retell/function', answerRefusals, async (ctx) => {
    const body = await signedBody(ctx, deps, limits.functionBytes, (raw) => validate(functionCallSchema, parseJson(raw)));
    await respond(ctx, { call: body.call, name: body.name, args: body.args, signature: signatureOf(ctx) }, deps);
  });

  // Args at the root next to a signed `call` (custom integrations); Retell's own args-only
  // mode sends no call and must use the agent URL below.
  router.post('/retell/functions/:name', answerRefusals, async (ctx) => {
    const { call, ...args } = await signedBody(ctx, deps, limits.functionBytes, (raw) => validate(rootArgsSchema, parseJson(raw)));
    if (call === undefined || call === null) {
      throw new HttpError(400, 'missing_call', 'an args-only body carries no call: configure the tool URL /retell/agents/{token}/functions/{name}');
    }
    await respond(ctx, { call: validate(retellCallSchema, call, 'invalid_call'), name: ctx.params.name!, args, signature: signatureOf(ctx) }, deps);
  });

  // Retell's "Payload: args only": the tenant comes from the URL's secret token, bound to one
  // company in the catalog (set once by the operator in Retell). There is no call, so no caller.
  router.post('/retell/agents/:token/functions/:name', answerRefusals, async (ctx) => {
    const args = await signedBody(ctx, deps, limits.functionBytes, (raw) => validate(rootArgsSchema, parseJson(raw)));
    const company = deps.core.catalog.companyForToolToken(ctx.params.token!);
    if (!company) throw new HttpError(403, 'unknown_tenant', 'no business is configured for this agent URL');
    await respond(ctx, { company, name: ctx.params.name!, args, signature: signatureOf(ctx) }, deps);
  });

  router.post('/retell/webhook', async (ctx) => {
    const envelope = await signedBody(ctx, deps, limits.webhookBytes, (raw) => validate(webhookEnvelopeSchema, parseJson(raw)));
    // Chat agents' events ({event, chat}) and events we do not store are acknowledged, not refused.
    if (!isCallEvent(envelope.event) || envelope.call === undefined) {
      ctx.body = { success: true, ignored: envelope.event };
      return;
    }
    const call = validate(retellCallSchema, envelope.call, 'invalid_call');
    const { companyId } = await recordCallEvent({ ...deps.core, now: deps.now }, envelope.event, call);
    ctx.body = { success: true, company: companyId };
  });

  return router;
}

/** Which German sentence answers which refusal; anything else gets the technical one. */
const SPOKEN_REFUSALS: Record<string, string> = {
  unknown_tenant: MESSAGES.unknown_tenant,
  unknown_function: MESSAGES.unknown_function,
};

/**
 * A function call refused before it ran (body, function, tenant) is answered 200 with
 * `success: false`, a code and a sentence the agent can say; the reason stays in `detail`.
 * Only a bad signature stays a 401: nothing unsigned gets an answer.
 */
async function answerRefusals(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof HttpError) || error.status === 401) throw error;
    ctx.status = 200;
    ctx.body = {
      success: false,
      error: error.code,
      message: SPOKEN_REFUSALS[error.code] ?? MESSAGES.technical_error,
      detail: error.message,
      ...(error.details !== undefined && { details: error.details }),
    };
  }
}

/** Runs a function and says in `Server-Timing` how much of its time it waited on Cal.com and in a mailbox. */
async function respond(ctx: Context, request: FunctionRequest, deps: HttpDeps): Promise<void> {
  const started = performance.now();
  const { result, calcomMs, mailboxMs } = await measureWaits(() => runFunction(deps, request));
  ctx.set('Server-Timing', `calcom;dur=${calcomMs.toFixed(1)}, mailbox;dur=${mailboxMs.toFixed(1)}, function;dur=${(performance.now() - started).toFixed(1)}`);
  ctx.body = result;
}

const signatureOf = (ctx: Context) => ctx.get('x-retell-signature');

/**
 * The body read by `read`, once its Retell signature checked out and was never used before
 * (401 otherwise, nothing processed, nothing revealed). The signed bytes are parsed while the
 * ledger's answer is on its way; a parse error counts only for a signature used the first time.
 */
async function signedBody<T>(ctx: Context, deps: HttpDeps, limit: number, read: (raw: string) => T): Promise<T> {
  const raw = await readRawBody(ctx, limit, deps.bodyBudget);
  const signature = signatureOf(ctx) || undefined;
  if (!verifyRetellSignature(raw, signature, deps.config.retellApiKey, deps.now())) {
    throw new HttpError(401, 'invalid_signature', 'x-retell-signature is missing or does not match');
  }
  const first = deps.core.signatures.firstUse(signature!);
  first.catch(() => {}); // awaited below, after the parse
  let body: { value: T } | { error: unknown };
  try {
    body = { value: read(raw) };
  } catch (error) {
    body = { error };
  }
  const unused = await first.catch(() => {
    throw new HttpError(503, 'unavailable', 'the signature ledger (Redis) does not answer');
  });
  if (!unused) throw new HttpError(401, 'replayed_signature', 'this x-retell-signature was already used');
  if ('error' in body) throw body.error;
  return body.value;
}
