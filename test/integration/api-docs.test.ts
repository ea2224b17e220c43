import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../helpers/app.js';

interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minimum?: number;
  maximum?: number;
}
interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The routes the issue names, which must always be documented. */
const REQUIRED_OPERATIONS = [
  'get /api/v1/setup',
  'post /api/v1/setup',
  'get /api/v1/workspaces/{slug}',
  'get /api/v1/auth/csrf',
  'post /api/v1/auth/sign-in',
  'post /api/v1/auth/sign-out',
  'get /api/v1/auth/session',
  'get /api/v1/members',
  'post /api/v1/members',
  'get /api/v1/member-invitations/{token}',
  'post /api/v1/member-invitations/join',
  'get /api/v1/activity',
];

/**
 * Every "method path" the router serves under /api/v1, read from printRoutes' tree (commonPrefix off,
 * so each line's segment is appended to its parent's path). HEAD is Fastify's automatic twin of GET.
 */
function servedApiOperations(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const operations: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').map((m) => m.toLowerCase())) {
      if (HTTP_METHODS.includes(method) && path.startsWith('/api/v1/')) operations.push(`${method} ${path}`);
    }
  }
  return operations.sort();
}

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method} ${path}`),
    )
    .sort();
}

function requestSchema(doc: OpenApiDocument, method: string, path: string): JsonSchema {
  const body = doc.paths[path]?.[method]?.requestBody;
  expect(body, `${method} ${path} documents a request body`).toBeDefined();
  expect(Object.keys(body!.content)).toEqual(['application/json']);
  return body!.content['application/json']!.schema;
}

/** GET, following redirects within the app (swagger-ui may redirect /api/docs to /api/docs/). */
async function getFollowing(app: FastifyInstance, url: string): Promise<LightMyRequestResponse> {
  let response = await app.inject({ method: 'GET', url });
  for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops++) {
    response = await app.inject({
      method: 'GET',
      url: new URL(String(response.headers.location), `http://localhost${url}`).pathname,
    });
  }
  return response;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = response.json();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is OpenAPI 3.1 and describes the Gatehouse API', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Gatehouse API');
  });

  it('lists every route the server has under /api/v1, and nothing it does not have', () => {
    const served = servedApiOperations(t.app);
    expect(served).toEqual(expect.arrayContaining(REQUIRED_OPERATIONS));
    expect(documentedOperations(doc).filter((op) => op.split(' ')[1]!.startsWith('/api/v1/'))).toEqual(served);
  });

  it('lists the set-up, workspace, auth, member and activity routes', () => {
    expect(documentedOperations(doc)).toEqual(expect.arrayContaining(REQUIRED_OPERATIONS));
  });

  it('keeps internal routes out', () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);
    expect(paths).not.toContain('/healthz');
    expect(paths).not.toContain('/readyz');
  });

  it('gives every operation a summary, a tag and at least one response', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item).filter(([key]) => HTTP_METHODS.includes(key))) {
        expect(operation.summary, `${method} ${path}`).toEqual(expect.stringMatching(/\w/));
        expect(operation.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });

  it('documents the body of POST /api/v1/members (Invite member): email and role admin or member, nothing else', () => {
    const schema = requestSchema(doc, 'post', '/api/v1/members');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect([...(schema.required ?? [])].sort()).toEqual(['email', 'role']);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['email', 'role']);
    expect(schema.properties?.email).toMatchObject({ type: 'string', format: 'email' });
    expect(schema.properties?.role).toMatchObject({ type: 'string' });
    expect([...(schema.properties?.role?.enum ?? [])].sort()).toEqual(['admin', 'member']);
    expect(Object.keys(doc.paths['/api/v1/members']!.post!.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '422', '429']),
    );
  });

  it('documents the body of joining from the link: token, the password twice, given and family name', () => {
    const schema = requestSchema(doc, 'post', '/api/v1/member-invitations/join');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect([...(schema.required ?? [])].sort()).toEqual([
      'familyName',
      'givenName',
      'password',
      'passwordAgain',
      'token',
    ]);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
      'familyName',
      'givenName',
      'password',
      'passwordAgain',
      'token',
    ]);
    expect(schema.properties?.token).toMatchObject({ type: 'string' });
    expect(schema.properties?.password).toMatchObject({ type: 'string' });
    expect(schema.properties?.passwordAgain).toMatchObject({ type: 'string' });
    expect(schema.properties?.givenName).toMatchObject({ type: 'string', maxLength: 100 });
    expect(schema.properties?.familyName).toMatchObject({ type: 'string', maxLength: 100 });
    expect(Object.keys(doc.paths['/api/v1/member-invitations/join']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '409', '410', '422']),
    );
    expect(doc.paths['/api/v1/member-invitations/{token}']!.get!.parameters).toContainEqual(
      expect.objectContaining({ in: 'path', name: 'token', required: true }),
    );
  });

  it('documents the bodies of set-up and sign-in', () => {
    const setup = requestSchema(doc, 'post', '/api/v1/setup');
    expect([...(setup.required ?? [])].sort()).toEqual(['displayName', 'email', 'password', 'slug', 'workspaceName']);
    expect(setup.additionalProperties).toBe(false);
    const signIn = requestSchema(doc, 'post', '/api/v1/auth/sign-in');
    expect([...(signIn.required ?? [])].sort()).toEqual(['password', 'username', 'workspace']);
    expect(signIn.additionalProperties).toBe(false);
  });

  it('documents path and query parameters', () => {
    expect(doc.paths['/api/v1/workspaces/{slug}']!.get!.parameters).toContainEqual(
      expect.objectContaining({ in: 'path', name: 'slug', required: true }),
    );
    expect(doc.paths['/api/v1/activity']!.get!.parameters).toContainEqual(
      expect.objectContaining({
        in: 'query',
        name: 'limit',
        schema: expect.objectContaining({ minimum: 1, maximum: 1000 }),
      }),
    );
  });

  it('serves the browsable docs as HTML at /api/docs', async () => {
    const response = await getFollowing(t.app, '/api/docs');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
  });
});

describe('health checks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/healthz answers 200 {status: ok}', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 while the database is reachable', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 once the database is gone, while /healthz still answers 200', async () => {
    const own = await createTestApp({ worker: false });
    try {
      // A first query also matters for the close below: Kysely only really shuts down a driver it started.
      expect((await own.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await own.database.close();
      const ready = await own.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).not.toBe('ready');
      expect((await own.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      // Not own.close(): it would close the database a second time, which PGlite does not survive quietly.
      await own.app.close();
      fs.rmSync(own.config.dataDir, { recursive: true, force: true });
    }
  });
});
