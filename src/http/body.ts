import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { HttpError } from './errors.ts';

/** The request body as text, at most `limit` bytes (signatures are checked over these bytes). */
export async function readRawBody(ctx: Context, limit: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new HttpError(413, 'payload_too_large', `body exceeds ${limit} bytes`);
    throw new HttpError(400, 'unreadable_body', (error as Error).message);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  }
}

/** Validates with zod; a mismatch is a 400 that lists each bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, code = 'invalid_payload'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new HttpError(400, code, issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), issues);
}
