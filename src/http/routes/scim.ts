import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { ScimError } from '../../services/scim/errors.js';
import {
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
  patchScimGroup,
  replaceScimGroup,
} from '../../services/scim/groups.js';
import {
  listResponse,
  resourceTypes,
  schemas,
  serviceProviderConfig,
  type ScimResource,
} from '../../services/scim/resources.js';
import { authenticateScimToken, type ScimCaller } from '../../services/scim/tokens.js';
import { createScimUser } from '../../services/scim/users/create-user.js';
import { deleteScimUser } from '../../services/scim/users/delete-user.js';
import { getScimUser } from '../../services/scim/users/get-user.js';
import { listScimUsers } from '../../services/scim/users/list-users.js';
import { patchScimUser } from '../../services/scim/users/patch-user.js';
import { replaceScimUser } from '../../services/scim/users/replace-user.js';
import { requestContext } from '../context.js';

/**
 * SCIM 2.0 (RFC 7644) at /scim/v2 for the workspace's identity provider (SPEC §2b). Its own world: a
 * bearer token instead of a session, application/scim+json, and SCIM's error format, never problem+json.
 */

declare module 'fastify' {
  interface FastifyRequest {
    scimCaller?: ScimCaller;
  }
}

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const BEARER = /^Bearer\s+(\S{1,200})$/i;

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

function callerOf(request: FastifyRequest): ScimCaller {
  if (!request.scimCaller) throw new ScimError(401, 'Send a SCIM token as Authorization: Bearer.');
  return request.scimCaller;
}

const FRAMEWORK_ERRORS: Record<string, ScimError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new ScimError(415, 'Send the body as application/scim+json or application/json.'),
  FST_ERR_CTP_BODY_TOO_LARGE: new ScimError(413, 'The request body is too large.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: new ScimError(400, 'The request body is empty.', 'invalidSyntax'),
  FST_ERR_CTP_INVALID_JSON_BODY: new ScimError(400, 'The request body is not valid JSON.', 'invalidSyntax'),
};

function toScimError(error: FastifyError, request: FastifyRequest): ScimError {
  if (error instanceof ScimError) return error;
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  if (known) return known;
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return new ScimError(error.statusCode, 'The request could not be understood.', 'invalidSyntax');
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ database: { error: error.message } }, 'database unavailable');
    return new ScimError(503, 'The database could not be reached. Try again in a few seconds.');
  }
  request.log.error({ err: error }, 'SCIM request failed');
  return new ScimError(500, `Something went wrong on our side. Quote request id ${request.id} when reporting it.`);
}

export default async function scimRoutes(app: FastifyInstance): Promise<void> {
  const baseUrl = `${app.config.publicUrl.toString().replace(/\/$/, '')}/scim/v2`;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/scim+json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      const text = utf8.decode(body as Buffer);
      if (text.trim() === '') return done(new ScimError(400, 'The request body is empty.', 'invalidSyntax'));
      done(null, JSON.parse(text));
    } catch {
      done(new ScimError(400, 'The request body is not valid JSON.', 'invalidSyntax'));
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const scimError = toScimError(error, request);
    if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="scim"');
    if (scimError.status === 503) reply.header('retry-after', '5');
    return send(reply, scimError.status, scimError.toBody());
  });
  app.setNotFoundHandler((_request, reply) =>
    send(reply, 404, new ScimError(404, 'There is no such SCIM endpoint.').toBody()),
  );

  app.addHook('onRequest', async (request, reply) => {
    // Members' names and addresses: never kept by a cache on the way.
    reply.header('cache-control', 'no-store');
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const caller = token
      ? await authenticateScimToken(app.db, token, requestContext(request), new Date(app.clock.now()))
      : null;
    if (!caller) throw new ScimError(401, 'Send a valid SCIM token as Authorization: Bearer.');
    request.scimCaller = caller;
  });

  const hidden = { schema: { hide: true } };
  const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, unknown>;
  const id = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/ServiceProviderConfig', hidden, async (_request, reply) =>
    send(reply, 200, serviceProviderConfig(baseUrl)),
  );
  app.get('/ResourceTypes', hidden, async (_request, reply) => {
    const types = resourceTypes(baseUrl) as unknown as ScimResource[];
    return send(reply, 200, listResponse(types, types.length, 1));
  });
  app.get('/ResourceTypes/:id', hidden, async (request, reply) => {
    const type = resourceTypes(baseUrl).find((t) => t.id === id(request));
    if (!type) throw new ScimError(404, 'ResourceType not found.');
    return send(reply, 200, type);
  });
  app.get('/Schemas', hidden, async (_request, reply) => {
    const all = schemas(baseUrl) as unknown as ScimResource[];
    return send(reply, 200, listResponse(all, all.length, 1));
  });
  app.get('/Schemas/:id', hidden, async (request, reply) => {
    const schema = schemas(baseUrl).find((s) => s.id === id(request));
    if (!schema) throw new ScimError(404, 'Schema not found.');
    return send(reply, 200, schema);
  });

  app.get('/Users', hidden, async (request, reply) =>
    send(reply, 200, await listScimUsers(app.db, callerOf(request), query(request), baseUrl)),
  );
  app.post('/Users', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const user = await app.unitOfWork.run((tx) => createScimUser(tx, caller, request.body, baseUrl));
    reply.header('location', (user.meta as { location: string }).location);
    return send(reply, 201, user);
  });
  app.get('/Users/:id', hidden, async (request, reply) =>
    send(reply, 200, await getScimUser(app.db, callerOf(request), id(request), baseUrl)),
  );
  app.put('/Users/:id', hidden, async (request, reply) => {
    const caller = callerOf(request);
    return send(
      reply,
      200,
      await app.unitOfWork.run((tx) => replaceScimUser(tx, caller, id(request), request.body, baseUrl)),
    );
  });
  app.patch('/Users/:id', hidden, async (request, reply) => {
    const caller = callerOf(request);
    return send(
      reply,
      200,
      await app.unitOfWork.run((tx) => patchScimUser(tx, caller, id(request), request.body, baseUrl)),
    );
  });
  app.delete('/Users/:id', hidden, async (request, reply) => {
    const caller = callerOf(request);
    await app.unitOfWork.run((tx) => deleteScimUser(tx, caller, id(request)));
    return reply.code(204).send();
  });

  app.get('/Groups', hidden, async (request, reply) =>
    send(reply, 200, await listScimGroups(app.db, callerOf(request), query(request), baseUrl)),
  );
  app.post('/Groups', hidden, async (request) => {
    callerOf(request);
    createScimGroup(request.body);
  });
  app.get('/Groups/:id', hidden, async (request, reply) =>
    send(reply, 200, await getScimGroup(app.db, callerOf(request), id(request), query(request), baseUrl)),
  );
  app.put('/Groups/:id', hidden, async (request, reply) => {
    const caller = callerOf(request);
    return send(
      reply,
      200,
      await app.unitOfWork.run((tx) => replaceScimGroup(tx, caller, id(request), request.body, baseUrl)),
    );
  });
  app.patch('/Groups/:id', hidden, async (request, reply) => {
    const caller = callerOf(request);
    return send(
      reply,
      200,
      await app.unitOfWork.run((tx) => patchScimGroup(tx, caller, id(request), request.body, baseUrl)),
    );
  });
  app.delete('/Groups/:id', hidden, async (request) => {
    callerOf(request);
    deleteScimGroup();
  });
}
