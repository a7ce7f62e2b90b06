import type { Context, Next } from 'koa';
import type { Logger } from 'pino';

/** An error meant for the client: an HTTP status, a machine code and a message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** The reason in plain words when `message` is a sentence for the caller instead. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/**
 * The outermost middleware: known errors become `{ success: false, error, message }` with
 * their status; anything unexpected is logged and answered with a 500 that names no internals.
 */
export function errorBoundary(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = {
          success: false,
          error: error.code,
          message: error.message,
          ...(error.detail !== undefined && { detail: error.detail }),
          ...(error.details !== undefined && { details: error.details }),
        };
        return;
      }
      logger.error({ err: error, path: ctx.path }, 'unhandled error in request');
      ctx.status = 500;
      ctx.body = { success: false, error: 'internal_error', message: 'Es gab ein technisches Problem. Bitte versuchen Sie es gleich noch einmal.' };
    }
  };
}
