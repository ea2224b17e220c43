import { X509Certificate } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
// node-saml's own hardened DOM parser (errors are thrown, not swallowed) and typed XPath helpers.
import { parseDomFromString, xpath } from '@node-saml/node-saml/lib/xml.js';
import type { Database, Workspace } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { AppError, forbidden, invalid } from '../domain/errors.js';
import { workspacePolicy } from '../domain/policies/workspace.js';
import { recordEvent } from './activity.js';

/**
 * SAML 2.0 sign-in for members (SPEC §2b): Gatehouse is the service provider, one per workspace, with the
 * identity provider described by the metadata XML an admin pasted.
 */

/** A sign-in started at the IdP must come back within this time (InResponseTo). */
export const SAML_REQUEST_TTL_MS = 10 * 60 * 1000;
/** Clock difference tolerated between Gatehouse and the IdP for NotBefore / NotOnOrAfter. */
export const SAML_CLOCK_SKEW_MS = 60 * 1000;
/** An assertion older than this (from its IssueInstant) is refused even if NotOnOrAfter is later. */
export const SAML_MAX_ASSERTION_AGE_MS = 10 * 60 * 1000;

const MAX_METADATA_CHARS = 200_000;

export interface SpUrls {
  entityId: string;
  acsUrl: string;
  loginUrl: string;
}

export function spUrls(publicUrl: URL, slug: string): SpUrls {
  const base = `${publicUrl.origin}/api/v1/saml/${encodeURIComponent(slug)}`;
  return { entityId: `${base}/metadata`, acsUrl: `${base}/acs`, loginUrl: `${base}/login` };
}

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** PEM certificates the IdP signs with. */
  certificates: string[];
}

const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

function toPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads what Gatehouse relies on from an IdP's metadata: its entity id, the SSO URL for the
 * HTTP-Redirect binding (how the AuthnRequest is sent), and its signing certificates. Throws a 422 in
 * words when something is missing.
 */
export async function parseIdpMetadata(metadataXml: string, field = 'metadataXml'): Promise<IdpMetadata> {
  const problem = (detail: string) => invalid('invalid-saml-metadata', detail, [{ path: field, message: detail }]);
  if (metadataXml.length > MAX_METADATA_CHARS) throw problem('The metadata is too long.');
  // No DOCTYPE: metadata never needs one, and refusing it closes the door on entity expansion.
  if (/<!DOCTYPE/i.test(metadataXml)) throw problem('The metadata must not contain a DOCTYPE.');
  let doc: Document;
  try {
    doc = await parseDomFromString(metadataXml.trim());
  } catch {
    throw problem('The metadata is not well-formed XML.');
  }
  const entities = xpath.selectElements(doc, "//*[local-name()='EntityDescriptor']");
  const withIdp = entities.filter(
    (entity) => xpath.selectElements(entity, "./*[local-name()='IDPSSODescriptor']").length > 0,
  );
  if (withIdp.length !== 1) {
    throw problem(
      'The metadata must describe exactly one identity provider (an EntityDescriptor with IDPSSODescriptor).',
    );
  }
  const entity = withIdp[0]!;
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw problem('The metadata has no entityID.');
  const descriptor = xpath.selectElements(entity, "./*[local-name()='IDPSSODescriptor']")[0]!;
  const sso = xpath
    .selectElements(descriptor, "./*[local-name()='SingleSignOnService']")
    .find((element) => element.getAttribute('Binding') === BINDING_REDIRECT);
  const ssoUrl = sso?.getAttribute('Location')?.trim();
  if (!ssoUrl) throw problem('The metadata has no SingleSignOnService with the HTTP-Redirect binding.');
  try {
    const url = new URL(ssoUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw problem('The SingleSignOnService location is not an http(s) URL.');
  }
  const keys = xpath
    .selectElements(descriptor, "./*[local-name()='KeyDescriptor']")
    .filter((key) => (key.getAttribute('use') ?? 'signing') === 'signing');
  const certificates: string[] = [];
  for (const key of keys) {
    for (const cert of xpath.selectElements(key, ".//*[local-name()='X509Certificate']")) {
      const pem = toPem(cert.textContent ?? '');
      try {
        new X509Certificate(pem);
      } catch {
        throw problem('A signing certificate in the metadata could not be read.');
      }
      if (!certificates.includes(pem)) certificates.push(pem);
    }
  }
  if (certificates.length === 0)
    throw problem('The metadata has no signing certificate (KeyDescriptor use="signing").');
  return { entityId, ssoUrl, certificates };
}

export interface SamlMetadataTest {
  ok: boolean;
  /** One sentence for the admin: what the metadata says, or what is wrong with it. */
  message: string;
  issuer?: string;
  ssoUrl?: string;
  /** When each signing certificate stops being valid (ISO 8601), earliest first. */
  certificateExpiry?: string[];
}

/** A certificate expiring sooner than this is named in Test connection's answer. */
const CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Test connection for SAML: parses the metadata and reads its signing certificates' validity at `now`.
 * node-saml does not refuse a signature made with an expired certificate (nor do most service providers),
 * so this is where an admin learns that the IdP is about to roll its certificate. Never throws for bad XML.
 */
export async function testSamlMetadata(metadataXml: string, now: number): Promise<SamlMetadataTest> {
  let parsed: IdpMetadata;
  try {
    parsed = await parseIdpMetadata(metadataXml);
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: `The metadata cannot be used: ${error.message}` };
    throw error;
  }
  const certificates = parsed.certificates
    .map((pem) => {
      const certificate = new X509Certificate(pem);
      return { validFrom: new Date(certificate.validFrom), validTo: new Date(certificate.validTo) };
    })
    .sort((a, b) => a.validTo.getTime() - b.validTo.getTime());
  const found = {
    issuer: parsed.entityId,
    ssoUrl: parsed.ssoUrl,
    certificateExpiry: certificates.map((certificate) => certificate.validTo.toISOString()),
  };
  const valid = certificates.filter((c) => c.validFrom.getTime() <= now && c.validTo.getTime() > now);
  const latest = valid.at(-1);
  if (!latest) {
    const last = certificates.at(-1)!;
    return {
      ok: false,
      ...found,
      message:
        last.validTo.getTime() <= now
          ? `The identity provider's signing certificate expired on ${isoDay(last.validTo)}: download its current metadata and paste it again.`
          : `The identity provider's signing certificate is not valid before ${isoDay(last.validFrom)}.`,
    };
  }
  const count = `${certificates.length} signing ${certificates.length === 1 ? 'certificate' : 'certificates'}`;
  const days = Math.floor((latest.validTo.getTime() - now) / DAY_MS);
  const expiry =
    days < CERTIFICATE_WARNING_DAYS
      ? `; the signing certificate expires in ${days} ${days === 1 ? 'day' : 'days'} (${isoDay(latest.validTo)}): paste the identity provider's new metadata when it rolls its certificate.`
      : `, valid until ${isoDay(latest.validTo)}.`;
  return {
    ok: true,
    ...found,
    message: `Metadata read: identity provider ${parsed.entityId}, sign-in URL ${parsed.ssoUrl}, ${count}${expiry}`,
  };
}

/** The metadata XML an admin saved, for Test connection without pasting it again. */
export async function storedSamlMetadata(db: Kysely<Database>, workspaceId: string): Promise<string | null> {
  const row = await db
    .selectFrom('workspace_saml')
    .select('metadata_xml')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.metadata_xml ?? null;
}

export interface SamlSettings {
  configured: boolean;
  idpEntityId: string | null;
  ssoUrl: string | null;
  /** When each signing certificate stops being valid (ISO 8601), earliest first. */
  certificateExpiry: string[];
  spEntityId: string;
  acsUrl: string;
  metadataUrl: string;
}

function settingsOf(
  row: { idp_entity_id: string; idp_sso_url: string; idp_certificates: string[] } | undefined,
  sp: SpUrls,
): SamlSettings {
  const expiry = (row?.idp_certificates ?? [])
    .map((pem) => new Date(new X509Certificate(pem).validTo).toISOString())
    .sort();
  return {
    configured: row !== undefined,
    idpEntityId: row?.idp_entity_id ?? null,
    ssoUrl: row?.idp_sso_url ?? null,
    certificateExpiry: expiry,
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    metadataUrl: sp.entityId,
  };
}

async function workspaceSlug(db: Kysely<Database>, workspaceId: string): Promise<string> {
  const row = await db.selectFrom('workspaces').select('slug').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return row.slug;
}

/** The SAML settings (owner and admins). The metadata is public information, but only admins need it. */
export async function getSamlSettings(db: Kysely<Database>, actor: Actor, publicUrl: URL): Promise<SamlSettings> {
  if (!workspacePolicy.viewSettings(actor))
    throw forbidden('Only the workspace owner and admins can see the single sign-on settings.');
  const row = await db
    .selectFrom('workspace_saml')
    .select(['idp_entity_id', 'idp_sso_url', 'idp_certificates'])
    .where('workspace_id', '=', actor.workspaceId)
    .executeTakeFirst();
  return settingsOf(row, spUrls(publicUrl, await workspaceSlug(db, actor.workspaceId)));
}

/** Saves the IdP metadata an admin pasted, once it parses and has a signing certificate. */
export async function saveSamlMetadata(
  tx: Kysely<Database>,
  actor: Actor,
  metadataXml: string,
  context: RequestContext,
  publicUrl: URL,
  /** The request body's field the XML came in, for the problem's field error. */
  field = 'metadataXml',
): Promise<SamlSettings> {
  if (!workspacePolicy.changeSettings(actor))
    throw forbidden('Only the workspace owner and admins can change the single sign-on settings.');
  const parsed = await parseIdpMetadata(metadataXml, field);
  const values = {
    metadata_xml: metadataXml.trim(),
    idp_entity_id: parsed.entityId,
    idp_sso_url: parsed.ssoUrl,
    idp_certificates: parsed.certificates,
    updated_at: sql<Date>`now()`,
  };
  await tx
    .insertInto('workspace_saml')
    .values({ workspace_id: actor.workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.saml_settings_changed',
    context,
    details: { idpEntityId: parsed.entityId, ssoUrl: parsed.ssoUrl, certificates: parsed.certificates.length },
  });
  return settingsOf(
    { idp_entity_id: parsed.entityId, idp_sso_url: parsed.ssoUrl, idp_certificates: parsed.certificates },
    spUrls(publicUrl, await workspaceSlug(tx, actor.workspaceId)),
  );
}

export interface WorkspaceSamlConfig {
  workspace: Workspace;
  idpEntityId: string;
  ssoUrl: string;
  certificates: string[];
}

export async function findSamlConfig(db: Kysely<Database>, slug: string): Promise<WorkspaceSamlConfig | null> {
  const workspace = await db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!workspace) return null;
  const saml = await db
    .selectFrom('workspace_saml')
    .select(['idp_entity_id', 'idp_sso_url', 'idp_certificates'])
    .where('workspace_id', '=', workspace.id)
    .executeTakeFirst();
  if (!saml) return null;
  return {
    workspace,
    idpEntityId: saml.idp_entity_id,
    ssoUrl: saml.idp_sso_url,
    certificates: saml.idp_certificates,
  };
}

/**
 * node-saml's store for the AuthnRequest IDs it issued, kept in the database so any instance can receive
 * the answer. A used (or failed) request is marked, not deleted, so a replayed response can be named.
 */
function requestStore(db: Kysely<Database>, workspaceId: string, clock: Clock): CacheProvider {
  return {
    async saveAsync(key, value) {
      const createdAt = new Date(clock.now());
      // Requests nobody answered in time are of no use any more (a late answer is refused either way).
      await db.deleteFrom('saml_requests').where('expires_at', '<', createdAt).execute();
      await db
        .insertInto('saml_requests')
        .values({
          id: key,
          workspace_id: workspaceId,
          created_at: createdAt,
          expires_at: new Date(createdAt.getTime() + SAML_REQUEST_TTL_MS),
        })
        .execute();
      return { value, createdAt: createdAt.getTime() };
    },
    async getAsync(key) {
      const row = await db
        .selectFrom('saml_requests')
        .select('created_at')
        .where('id', '=', key)
        .where('workspace_id', '=', workspaceId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', new Date(clock.now()))
        .executeTakeFirst();
      return row ? new Date(row.created_at).toISOString() : null;
    },
    async removeAsync(key) {
      if (!key) return null;
      await db
        .updateTable('saml_requests')
        .set({ used_at: new Date(clock.now()) })
        .where('id', '=', key)
        .where('workspace_id', '=', workspaceId)
        .where('used_at', 'is', null)
        .execute();
      return key;
    },
  };
}

/** Whether a request ID Gatehouse issued was already answered (for naming a replay, never for accepting). */
export async function samlRequestState(
  db: Kysely<Database>,
  workspaceId: string,
  requestId: string,
): Promise<'used' | 'unknown'> {
  const row = await db
    .selectFrom('saml_requests')
    .select('used_at')
    .where('id', '=', requestId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.used_at ? 'used' : 'unknown';
}

/**
 * The AuthnContextClassRef values of a validated assertion: how the IdP says the person authenticated
 * (e.g. `urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor`, or an IdP's own URI for MFA).
 */
export async function authnContextClasses(assertionXml: string): Promise<string[]> {
  const doc = await parseDomFromString(assertionXml);
  return xpath
    .selectElements(
      doc,
      "//*[local-name()='AuthnStatement']/*[local-name()='AuthnContext']/*[local-name()='AuthnContextClassRef']",
    )
    .map((element) => (element.textContent ?? '').trim())
    .filter((value) => value !== '' && value.length <= 200);
}

/** The service provider for one workspace, as node-saml builds and checks its messages. */
export function serviceProvider(db: Kysely<Database>, config: WorkspaceSamlConfig, publicUrl: URL, clock: Clock): SAML {
  const sp = spUrls(publicUrl, config.workspace.slug);
  return new SAML({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    entryPoint: config.ssoUrl,
    idpCert: config.certificates,
    idpIssuer: config.idpEntityId,
    // A signature covering the assertion is always required: on the assertion itself (what the SP
    // metadata asks for), or on the whole response. node-saml refuses a response where neither verifies.
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
    acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
    maxAssertionAgeMs: SAML_MAX_ASSERTION_AGE_MS,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    cacheProvider: requestStore(db, config.workspace.id, clock),
  });
}

/** The SP metadata XML the admin gives the IdP (entity id, ACS with HTTP-POST, signed assertions wanted). */
export function serviceProviderMetadata(publicUrl: URL, slug: string): string {
  const sp = spUrls(publicUrl, slug);
  return new SAML({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: 'unused-for-metadata',
    wantAssertionsSigned: true,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  }).generateServiceProviderMetadata(null);
}
