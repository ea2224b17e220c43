/**
 * Errors a use case raises on purpose. Each maps to one RFC 9457 problem type, so clients can rely on
 * `type` while `detail` stays free to improve.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'AppError';
  }

  /** When set, the response says when to retry (a Retry-After header, in whole seconds). */
  retryAfterMs?: number;

  /** Extension members of the problem (RFC 9457 §3.2) a client acts on, e.g. RFC 8628's `error`. */
  extensions?: Record<string, string | number>;
}

export const notFound = (what: string, detail = `${what} was not found.`) =>
  new AppError('not-found', 404, `${what} not found`, detail);

export const forbidden = (detail: string) => new AppError('forbidden', 403, 'Not allowed', detail);

export const unauthenticated = (detail = 'Sign in to continue.') =>
  new AppError('unauthenticated', 401, 'Not signed in', detail);

export const conflict = (type: string, detail: string, errors?: FieldError[]) =>
  new AppError(type, 409, 'Conflict', detail, errors);

export const invalid = (type: string, detail: string, errors?: FieldError[]) =>
  new AppError(type, 422, 'Invalid request', detail, errors);
