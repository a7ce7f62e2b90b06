import { createHash } from 'node:crypto';
import { z } from 'zod';

/** An actor key: `{actor}:{…}`, e.g. `slot:{companyId}:{calendarKey}:{YYYY-MM-DD}`. */
export const actorKeySchema = z.string().min(3).max(300).regex(/^[a-z][a-z0-9_-]*:.+$/, 'expected "{actor}:{id}"');

/** A command as it travels through a mailbox: plain, JSON-safe data. */
export const commandSchema = z.object({
  id: z.string().min(1).max(500),
  type: z.string().min(1).max(100),
  key: actorKeySchema,
  payload: z.unknown(),
  /** Epoch ms by which the asker wants an answer; handlers may use it to skip optional work. */
  deadline: z.number().int().positive(),
  /** The Retell call this command serves, carried into every log line of the command. */
  callId: z.string().max(200).optional(),
});
export type Command = z.infer<typeof commandSchema>;

export type FailureCode = 'handler_error' | 'unknown_command' | 'invalid_command' | 'timeout' | 'closed';

/** What an asker receives: the handler's value, or a structured failure — never a hung promise. */
export type Reply<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; error: { code: FailureCode; message: string } };

export function failure(code: FailureCode, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/**
 * The BullMQ job id for a command id. Command ids are free text (they may hold ':' or
 * be all digits, both of which BullMQ refuses), so the job id is a digest of it.
 */
export function jobIdOf(commandId: string): string {
  return `c_${createHash('sha256').update(commandId).digest('base64url').slice(0, 32)}`;
}
