import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { HttpError } from './errors.ts';

/**
 * Bytes of request bodies held in memory at once, across all requests. A 30-minute call's
 * webhook is megabytes; a budget keeps many of them arriving together from growing the heap
 * without bound: a body waits for room, and one that waits too long is answered 503 (Retell
 * retries), never half-read.
 */
export class BodyBudget {
  private used = 0;
  private readonly waiting: Array<{ bytes: number; admit: () => void }> = [];

  constructor(
    readonly limitBytes: number,
    private readonly maxWaitMs = 5000,
  ) {}

  async reserve(bytes: number): Promise<() => void> {
    const want = Math.min(bytes, this.limitBytes);
    if (this.used + want > this.limitBytes) {
      await new Promise<void>((resolve, reject) => {
        const entry = { bytes: want, admit: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(new HttpError(503, 'busy', 'too many large request bodies at once; retry shortly'));
        }, this.maxWaitMs);
        this.waiting.push(entry);
      });
    } else {
      this.used += want;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= want;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    while (this.waiting.length && this.used + this.waiting[0]!.bytes <= this.limitBytes) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.admit();
    }
  }
}

/**
 * The request body as text, at most `limit` bytes (signatures are checked over these bytes).
 * With a budget, the body's declared length (or the whole limit when none is declared) is
 * reserved while it is read and processed; call the returned `release` when done.
 */
export async function readRawBody(ctx: Context, limit: number, budget?: BodyBudget): Promise<string> {
  const declared = Number(ctx.get('content-length')) || undefined;
  if (declared !== undefined && declared > limit) throw new HttpError(413, 'payload_too_large', `body exceeds ${limit} bytes`);
  const release = budget ? await budget.reserve(declared ?? limit) : undefined;
  if (release) ctx.res.once('close', release);
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: declared });
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
