import { z } from 'zod';

/** The parts of Retell's call object we use; everything else is kept but not required. */
export const retellCallSchema = z.looseObject({
  call_id: z.string().min(1).max(200),
  agent_id: z.string().max(200).nullish(),
  from_number: z.string().max(40).nullish(),
  to_number: z.string().max(40).nullish(),
  direction: z.string().max(20).nullish(),
  call_status: z.string().max(40).nullish(),
  start_timestamp: z.number().int().nonnegative().nullish(),
  end_timestamp: z.number().int().nonnegative().nullish(),
  duration_ms: z.number().int().nonnegative().nullish(),
  disconnection_reason: z.string().max(200).nullish(),
  call_cost: z.looseObject({ combined_cost: z.number().nonnegative().nullish() }).nullish(),
});
export type RetellCall = z.output<typeof retellCallSchema>;

const argsSchema = z.record(z.string().max(100), z.unknown());

/** `POST /retell/function`: a custom function call. */
export const functionCallSchema = z.object({
  call: retellCallSchema,
  name: z.string().min(1).max(100),
  args: argsSchema.default({}),
});

/** `POST /retell/functions/:name`: the args at the root, optionally next to `call`. */
export const rootArgsSchema = argsSchema;

/** `POST /retell/webhook`: call lifecycle events. */
export const callEventSchema = z.looseObject({
  event: z.string().min(1).max(50),
  call: retellCallSchema,
});
