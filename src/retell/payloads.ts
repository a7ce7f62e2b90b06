import { z } from 'zod';

/** Retell types these as `number` (retell-sdk `src/resources/call.ts`): not necessarily integers. */
const instant = z.number().finite().nonnegative().max(8.64e15);
const text = (max: number) => z.string().max(max);

/**
 * The parts of Retell's call object we use. Everything else (transcripts, analysis, latency
 * figures, fields Retell adds over time) is dropped right here: a 30-minute call's webhook is
 * megabytes, and only these few fields are stored or used for decisions.
 */
export const retellCallSchema = z.object({
  call_id: z.string().min(1).max(200),
  agent_id: text(200).nullish(),
  call_type: text(40).nullish(),
  // SIP trunks send SIP URIs ("sip:+4930…@trunk.example.com;user=phone"), not only E.164.
  from_number: text(1000).nullish(),
  to_number: text(1000).nullish(),
  direction: text(20).nullish(),
  call_status: text(40).nullish(),
  start_timestamp: instant.nullish(),
  end_timestamp: instant.nullish(),
  duration_ms: z.number().finite().nonnegative().max(1e10).nullish(),
  disconnection_reason: text(200).nullish(),
  // combined_cost is in cents; a call costing more than 1,000,000 € is no real value.
  call_cost: z.object({ combined_cost: z.number().finite().nonnegative().max(1e8).nullish() }).nullish(),
});
export type RetellCall = z.output<typeof retellCallSchema>;

/** Args are whatever the LLM filled in; `null` (seen from Retell) means none. */
const argsSchema = z.record(z.string().max(100), z.unknown()).nullish().transform((args) => args ?? {});

/** `POST /retell/function`: a custom function call. */
export const functionCallSchema = z.object({
  call: retellCallSchema,
  name: z.string().min(1).max(100),
  args: argsSchema,
});

/** "Payload: args only" (`args_at_root`): the body is the args object itself. */
export const rootArgsSchema = z.record(z.string().max(100), z.unknown());

/**
 * `POST /retell/webhook`: `{event, event_timestamp?, call}` for voice calls; chat agents send
 * `{event, chat}`, which carries no call and is acknowledged without being stored.
 */
export const webhookEnvelopeSchema = z.object({
  event: z.string().min(1).max(50),
  call: z.unknown().optional(),
  chat: z.unknown().optional(),
});
