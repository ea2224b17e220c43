import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';

/**
 * A real SAML 2.0 identity provider for tests, built with samlify (a different library than the
 * product's node-saml). samlify wants an XML schema validator before it builds messages; a permissive
 * one is installed: it only checks what samlify itself sends, which node-saml then validates.
 */
samlify.setSchemaValidator({ validate: async () => 'skipped' });

export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const MULTI_FACTOR = 'urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface KeyPair {
  key: string;
  cert: string;
}

function inTempDir<T>(work: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-saml-'));
  try {
    return work(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A throwaway key and self-signed certificate valid for `days`, as an IdP administrator would make one. */
export function selfSigned(name: string, days = 30): KeyPair {
  return inTempDir((dir) => {
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(days)];
    execFileSync('openssl', [...args, '-subj', `/CN=${name}`, '-keyout', 'key.pem', '-out', 'cert.pem'], {
      cwd: dir,
      stdio: 'ignore',
    });
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  });
}

/** A self-signed certificate that stopped being valid on 1 January 2025 (openssl ca sets both dates). */
export function expiredSelfSigned(name: string): string {
  return inTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '01\n');
    fs.writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n' +
        'default_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n',
    );
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-subj',
      `/CN=${name}`,
      '-out',
      'req.pem',
    ]);
    run([
      ...['ca', '-batch', '-notext', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.pem'],
      ...['-startdate', '20240101000000Z', '-enddate', '20250101000000Z', '-out', 'cert.pem'],
    ]);
    return fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  });
}

export function identityProvider(entityId: string, ssoUrl: string, keys: KeyPair) {
  return samlify.IdentityProvider({
    entityID: entityId,
    signingCert: keys.cert,
    privateKey: keys.key,
    nameIDFormat: [PERSISTENT],
    singleSignOnService: [
      { Binding: REDIRECT, Location: ssoUrl },
      { Binding: POST, Location: ssoUrl },
    ],
  });
}

export interface LoginResponseOptions {
  /** The SP's metadata XML, as Gatehouse serves it. */
  spMetadata: string;
  requestId: string;
  audience?: string;
  recipient?: string;
  destination?: string;
  notOnOrAfter?: string;
  notBefore?: string;
  assertionId?: string;
  email: string;
  displayName?: string;
  nameId: string;
  /** Sign the whole response instead of the assertion, as some IdPs do. */
  signResponseOnly?: boolean;
  /** The AuthnContextClassRef the IdP states for how the person authenticated. */
  authnContext?: string;
}

/** The IdP's signed answer to `requestId`, base64 as its auto-posting form carries it (SAMLResponse). */
export async function signedLoginResponse(
  idp: ReturnType<typeof identityProvider>,
  options: LoginResponseOptions,
): Promise<string> {
  const sp = samlify.ServiceProvider({
    metadata: options.signResponseOnly
      ? options.spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"')
      : options.spMetadata,
  });
  const acs = sp.entityMeta.getAssertionConsumerService('post') as string;
  const spEntityId = sp.entityMeta.getEntityID();
  const issuer = idp.entityMeta.getEntityID();
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
  const attributes =
    '<saml:AttributeStatement>' +
    `<saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${options.email}</saml:AttributeValue></saml:Attribute>` +
    `<saml:Attribute Name="displayName"><saml:AttributeValue xsi:type="xs:string">${options.displayName ?? 'Bob Saml'}</saml:AttributeValue></saml:Attribute>` +
    '</saml:AttributeStatement>';
  const authnStatement = options.authnContext
    ? `<saml:AuthnStatement AuthnInstant="${now.toISOString()}"><saml:AuthnContext>` +
      `<saml:AuthnContextClassRef>${options.authnContext}</saml:AuthnContextClassRef>` +
      '</saml:AuthnContext></saml:AuthnStatement>'
    : '';
  const { context } = await idp.createLoginResponse(
    sp,
    { extract: { request: { id: options.requestId } } },
    'post',
    {},
    (template: string) => ({
      id: 'ignored',
      // samlify escapes the values it fills in; the statements are XML, so they go in afterwards.
      context: samlify.SamlLib.replaceTagsByValue(template, {
        ID: `_r${Math.random().toString(16).slice(2)}`,
        AssertionID: options.assertionId ?? `_a${Math.random().toString(16).slice(2)}`,
        Destination: options.destination ?? acs,
        Audience: options.audience ?? spEntityId,
        SubjectRecipient: options.recipient ?? acs,
        Issuer: issuer,
        IssueInstant: now.toISOString(),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: options.notBefore ?? now.toISOString(),
        ConditionsNotOnOrAfter: options.notOnOrAfter ?? later,
        SubjectConfirmationDataNotOnOrAfter: options.notOnOrAfter ?? later,
        NameIDFormat: PERSISTENT,
        NameID: options.nameId,
        InResponseTo: options.requestId,
        AuthnStatement: 'AUTHN_STATEMENT',
        AttributeStatement: 'ATTRIBUTE_STATEMENT',
      })
        .replace('ATTRIBUTE_STATEMENT', attributes)
        .replace('AUTHN_STATEMENT', authnStatement),
    }),
  );
  return context;
}

/** The ID of the AuthnRequest carried (deflated, base64) in an HTTP-Redirect binding URL. */
export function authnRequestIdOf(url: URL): string {
  const deflated = Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64');
  const request = inflateRawSync(deflated).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(request)?.[1];
  if (!id) throw new Error('no AuthnRequest ID in the redirect');
  return id;
}

export interface SamlIdpPerson {
  name: string;
  nameId: string;
  authnContext?: string;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  metadata: string;
  /** Every AuthnRequest ID the IdP received, in order. */
  requests: string[];
  close(): Promise<void>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A SAML identity provider served over HTTP on this machine, as a browser meets one: its sign-in page
 * (**Email**, **Sign in**) for the AuthnRequest Gatehouse sends, then the auto-submitting form that posts
 * the signed assertion to Gatehouse's assertion consumer service.
 */
export async function startSamlIdp(options: {
  /** Where Gatehouse serves its SP metadata (the IdP reads the ACS URL and entity ID from it). */
  spMetadataUrl: string;
  people: Record<string, SamlIdpPerson>;
}): Promise<TestSamlIdp> {
  const keys = selfSigned('idp.acme.test', 365);
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const page = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          `<!doctype html><html lang="en"><head><title>Acme sign-in</title></head><body>${body}</body></html>`,
        );
      };
      if (request.method === 'GET' && url.pathname === '/saml/sso') {
        const requestId = authnRequestIdOf(url);
        requests.push(requestId);
        return page(
          200,
          '<main><h1>Acme corporate sign-in</h1><form method="post" action="/saml/sso/login">' +
            `<input type="hidden" name="requestId" value="${escapeHtml(requestId)}">` +
            '<label>Email <input name="email" type="email"></label> <button type="submit">Sign in</button></form></main>',
        );
      }
      if (request.method === 'POST' && url.pathname === '/saml/sso/login') {
        let body = '';
        for await (const chunk of request) body += String(chunk);
        const form = new URLSearchParams(body);
        const email = form.get('email') ?? '';
        const person = options.people[email];
        if (!person) return page(401, '<main><h1>Unknown person at the IdP</h1></main>');
        const spMetadata = await (await fetch(options.spMetadataUrl)).text();
        const sp = samlify.ServiceProvider({ metadata: spMetadata });
        const samlResponse = await signedLoginResponse(idp, {
          spMetadata,
          requestId: form.get('requestId') ?? '',
          email,
          displayName: person.name,
          nameId: person.nameId,
          ...(person.authnContext ? { authnContext: person.authnContext } : {}),
        });
        const acs = sp.entityMeta.getAssertionConsumerService('post') as string;
        return page(
          200,
          `<form method="post" action="${escapeHtml(acs)}">` +
            `<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">` +
            '<noscript><button type="submit">Continue</button></noscript></form>' +
            '<script>document.forms[0].submit()</script>',
        );
      }
      page(404, '<main><h1>Not found</h1></main>');
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/saml`;
  const ssoUrl = `${origin}/saml/sso`;
  const idp = identityProvider(entityId, ssoUrl, keys);
  return {
    entityId,
    ssoUrl,
    metadata: idp.getMetadata(),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
