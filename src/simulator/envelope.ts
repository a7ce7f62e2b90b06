/**
 * Cal.com's response envelopes. Success: `{status:"success", data}`. Errors go through
 * Nest's HttpExceptionFilter: `{status:"error", timestamp, path, error:{code, message,
 * details}}` where code is the exception class name and details its response object.
 */

const EXCEPTION: Record<number, [code: string, reason: string]> = {
  400: ['BadRequestException', 'Bad Request'],
  401: ['UnauthorizedException', 'Unauthorized'],
  403: ['ForbiddenException', 'Forbidden'],
  404: ['NotFoundException', 'Not Found'],
  409: ['ConflictException', 'Conflict'],
  422: ['UnprocessableEntityException', 'Unprocessable Entity'],
  429: ['ThrottlerException', 'Too Many Requests'],
  500: ['InternalServerErrorException', 'Internal Server Error'],
  502: ['BadGatewayException', 'Bad Gateway'],
  503: ['ServiceUnavailableException', 'Service Unavailable'],
};

/** An error the simulated Cal.com answers with; thrown by the calendar and validators. */
export class SimHttpError extends Error {
  override name = 'SimHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** `error.code` when it is not the exception class of the status (a ZodError gives "BAD_REQUEST"). */
    readonly code?: string,
  ) {
    super(message);
  }
}

export function successBody(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: 'success', data, ...extra };
}

export function errorBody(status: number, message: string, path: string, now: Date, codeOverride?: string): Record<string, unknown> {
  const [code, reason] = EXCEPTION[status] ?? ['HttpException', 'Error'];
  if (codeOverride) return { status: 'error', timestamp: now.toISOString(), path, error: { code: codeOverride, message } };
  return {
    status: 'error',
    timestamp: now.toISOString(),
    path,
    error: { code, message, details: { message, error: reason, statusCode: status } },
  };
}
