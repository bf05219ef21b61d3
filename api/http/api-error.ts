/** An error the API answers with on purpose: status, stable code, message safe to show. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
    /** Sent as Retry-After: when trying again may succeed (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  static badRequest(code: string, message: string, details?: ErrorDetail[]) {
    return new ApiError(400, code, message, details);
  }
  static unauthorized(code = 'UNAUTHORIZED', message = 'Authentication required') {
    return new ApiError(401, code, message);
  }
  static forbidden(code = 'FORBIDDEN', message = 'You are not allowed to do this') {
    return new ApiError(403, code, message);
  }
  static notFound(what = 'Resource') {
    return new ApiError(404, 'NOT_FOUND', `${what} not found`);
  }
  static conflict(code: string, message: string) {
    return new ApiError(409, code, message);
  }
  static unprocessable(code: string, message: string, details?: ErrorDetail[]) {
    return new ApiError(422, code, message, details);
  }
  /** 503: a dependency (database, Temporal) is overloaded or down; the same request may succeed later. */
  static unavailable(code: string, message: string, retryAfterSeconds: number) {
    return new ApiError(503, code, message, undefined, retryAfterSeconds);
  }
  static paymentRequired(code: string, message: string, details?: Record<string, unknown>) {
    return new ApiError(402, code, message, details);
  }
}
