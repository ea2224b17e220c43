import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { sendProblem } from '../problems.js';

const FRAMEWORK_ERRORS: Record<string, { type: string; title: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    type: 'malformed-json',
    title: 'Malformed JSON',
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    type: 'malformed-json',
    title: 'Malformed JSON',
    detail: 'The request says it carries JSON but the body is empty.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    type: 'unsupported-media-type',
    title: 'Unsupported media type',
    detail: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    type: 'body-too-large',
    title: 'Body too large',
    detail: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    type: 'bad-request',
    title: 'Bad request',
    detail: 'The Content-Length header does not match the body.',
  },
  FST_CSRF_MISSING_SECRET: {
    type: 'csrf',
    title: 'CSRF check failed',
    detail: 'The CSRF cookie is missing. Reload the page and try again.',
  },
  FST_CSRF_INVALID_TOKEN: {
    type: 'csrf',
    title: 'CSRF check failed',
    detail: 'The CSRF token is missing or invalid. Reload the page and try again.',
  },
  FST_ERR_BAD_URL: { type: 'bad-request', title: 'Bad request', detail: 'The URL is not valid.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    type: 'url-too-long',
    title: 'URL too long',
    detail: 'A part of the URL is longer than the server accepts.',
  },
  FST_ERR_ASYNC_CONSTRAINT: { type: 'bad-request', title: 'Bad request', detail: 'The request could not be routed.' },
};

/** What a 503 for a lost database connection advises: long enough for a pool or a restart to recover. */
const DATABASE_RETRY_AFTER_S = 5;

function fieldPath(instancePath: string | undefined, context: string | undefined): string {
  const path = (instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  if (context && context !== 'body') return path ? `${context}.${path}` : context;
  return path;
}

/**
 * Errors the router raises before any route, hook or error handler runs (a URL that does not decode, a
 * path parameter over maxParamLength). Pass as Fastify's `frameworkErrors` option; without it Fastify
 * answers these with its own JSON that echoes the URL back.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const known = FRAMEWORK_ERRORS[error.code] ?? {
    type: 'bad-request',
    title: 'Bad request',
    detail: 'The request could not be understood.',
  };
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  sendProblem(reply, { ...known, status });
}

/**
 * The API reads JSON bodies only, as strict UTF-8. Without this Fastify would also accept text/plain
 * (a body type browsers send cross-site without a preflight) and would quietly turn invalid UTF-8 into
 * U+FFFD before storing it.
 */
function acceptStrictJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      const detail = 'The request body is not valid UTF-8.';
      return done(new AppError('malformed-json', 400, 'Malformed JSON', detail), undefined);
    }
    parseJson(request, text, done);
  });
}

/** Turns every error into application/problem+json. A 5xx never carries internals to the client. */
async function errorsPlugin(app: FastifyInstance): Promise<void> {
  acceptStrictJsonOnly(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfterMs !== undefined) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      }
      return sendProblem(reply, {
        type: error.type,
        title: error.title,
        status: error.status,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
        ...error.extensions,
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((issue) => ({
        path: fieldPath(issue.instancePath, error.validationContext),
        message: issue.message ?? 'Invalid value.',
      }));
      return sendProblem(reply, {
        type: 'validation-failed',
        title: 'Invalid request',
        status: 400,
        detail: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join(' '),
        errors,
      });
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return sendProblem(reply, { ...known, status: error.statusCode ?? 400 });
    if (error.statusCode === 429) {
      return sendProblem(reply, {
        type: 'rate-limited',
        title: 'Too many requests',
        status: 429,
        detail: error.message,
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ code: error.code }, 'client error');
      return sendProblem(reply, {
        type: 'bad-request',
        title: 'Bad request',
        status: error.statusCode,
        detail: 'The request could not be understood.',
      });
    }
    if (isDatabaseUnavailable(error)) {
      // Only this request's connection failed (or the database is away): the pool replaces the
      // connection and the client may retry. A transaction that did not reach COMMIT left nothing behind.
      // Not under `code`: the logger redacts every `*.code` (second-factor codes), which would hide the SQLSTATE.
      request.log.warn({ database: { error: error.message, errorCode: error.code } }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
      return sendProblem(reply, {
        type: 'database-unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: 'The database could not be reached, so this request was not completed. Try again in a few seconds.',
      });
    }
    if (isResponseSerializationError(error)) request.log.error({ err: error }, 'response failed its schema');
    else request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, {
      type: 'internal-error',
      title: 'Internal error',
      status: 500,
      detail: `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
    });
  });
}

export default fp(errorsPlugin, { name: 'gatehouse-errors' });
