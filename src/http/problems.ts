import type { FastifyReply } from 'fastify';
import type { FieldError } from '../domain/errors.js';

/** RFC 9457 problem details. `type` is stable per kind of error and resolves to /api/problems/{name}. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export const problemType = (name: string) => `/api/problems/${name}`;

export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'> & { type: string }): FastifyReply {
  return reply
    .status(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...problem, type: problemType(problem.type) });
}

/** Human descriptions of each problem type, served at /api/problems/{name}. */
export const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  'validation-failed': 'The request body, query or path did not match the schema. `errors` lists each field.',
  'malformed-json': 'The request body is not valid JSON.',
  'unsupported-media-type': 'The request body must be sent as application/json.',
  'body-too-large': 'The request body is larger than the server accepts.',
  csrf: 'The CSRF token is missing or does not match. Fetch one from GET /api/v1/auth/csrf and send it in the x-csrf-token header.',
  unauthenticated: 'The request needs a signed-in session.',
  forbidden: 'The signed-in user may not do this.',
  'not-found': 'The resource does not exist, or is not visible to you.',
  'invalid-credentials': 'Wrong username or password. The same answer is given for unknown users.',
  'weak-password': 'The password breaks the workspace password policy. `errors` names each rule.',
  'slug-taken': 'Another workspace already uses this URL name.',
  'slug-reserved': 'This URL name is reserved for the application.',
  'email-taken': 'Someone in this workspace already uses this email address.',
  'already-set-up': 'The first workspace already exists; sign in instead.',
  'method-not-allowed': 'The resource does not support this HTTP method.',
  'rate-limited': 'Too many requests; retry after the time given in Retry-After.',
  'bad-request': 'The request could not be understood.',
  'internal-error': 'The server failed unexpectedly. The error was logged with the request id.',
};
