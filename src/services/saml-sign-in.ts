import { SamlStatusError, type Profile } from '@node-saml/node-saml';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import {
  authnContextClasses,
  findSamlConfig,
  SAML_CLOCK_SKEW_MS,
  samlRequestState,
  serviceProvider,
  spUrls,
  type WorkspaceSamlConfig,
} from './saml.js';
import { finishFederatedSignIn, refuseFederatedSignIn, type FederatedFailure } from './federated-sign-in.js';

/**
 * The end of a member's sign-in through the workspace's SAML 2.0 identity provider (SPEC §2b). node-saml
 * checks the signature (assertion signed, or the whole response), InResponseTo against the AuthnRequest
 * Gatehouse issued, the audience and the validity window; Gatehouse then checks the issuer, the recipient
 * and destination, the window again on its own clock, and accepts each assertion ID once. Matching and
 * just-in-time provisioning are those of OpenID Connect; the session opens as a password sign-in's does.
 */

/** Why a SAML sign-in ended without a session; the sign-in page explains each in words. */
export type SamlFailure =
  | FederatedFailure // once the assertion is valid: matching, linking, JIT, the person's status
  | 'expired' // no pending request for the answer (unknown, too old), or the IdP-initiated kind
  | 'replayed' // the response or assertion was already used
  | 'unsigned' // the assertion (or response) carries no valid signature from the IdP's certificate
  | 'assertion_expired' // outside NotBefore / NotOnOrAfter, or older than the maximum age
  | 'wrong_audience'
  | 'wrong_recipient' // Recipient or Destination is not this workspace's ACS
  | 'wrong_issuer'
  | 'idp_error' // the IdP answered with a non-success status
  | 'invalid_response'
  | 'unavailable'; // SAML is not set up for this workspace

export type SamlSignInResult =
  | { ok: true; token: string; workspaceSlug: string; userId: string }
  | { ok: false; reason: SamlFailure; workspaceSlug?: string };

export interface SamlSignInDeps {
  unitOfWork: UnitOfWork;
  clock: Clock;
  publicUrl: URL;
}

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailAddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const NAME_ATTRIBUTES = [
  'displayName',
  'name',
  'urn:oid:2.16.840.1.113730.3.1.241',
  'http://schemas.microsoft.com/identity/claims/displayname',
];
const GIVEN_ATTRIBUTES = [
  'givenName',
  'firstName',
  'urn:oid:2.5.4.42',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
];
const FAMILY_ATTRIBUTES = [
  'sn',
  'surname',
  'lastName',
  'urn:oid:2.5.4.4',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
];

function attribute(profile: Profile, names: string[], max = 200): string | null {
  for (const name of names) {
    const raw = profile[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, max);
  }
  return null;
}

/** The words node-saml throws, sorted into reasons the sign-in page can say. */
function failureOf(error: unknown): SamlFailure {
  if (error instanceof SamlStatusError) return 'idp_error';
  const message = String((error as Error)?.message ?? '');
  if (/InResponseTo/i.test(message)) return 'expired';
  if (/signature/i.test(message)) return 'unsigned';
  if (/expired|not yet valid|too old|subject confirmation/i.test(message)) return 'assertion_expired';
  if (/audience/i.test(message)) return 'wrong_audience';
  return 'invalid_response';
}

type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };
const first = (value: unknown): XmlNode | undefined => (Array.isArray(value) ? (value[0] as XmlNode) : undefined);

/** Checks node-saml leaves to the service provider, on the verified assertion. */
function ownChecks(
  profile: Profile,
  config: WorkspaceSamlConfig,
  acsUrl: string,
  nowMs: number,
): { ok: true; assertionId: string; keepUntil: Date } | { ok: false; reason: SamlFailure; problem: string } {
  const assertion = profile.getAssertion?.()?.Assertion as XmlNode | undefined;
  const assertionId = assertion?.$?.ID;
  if (!assertion || !assertionId) return { ok: false, reason: 'invalid_response', problem: 'no_assertion_id' };
  if (profile.issuer !== config.idpEntityId) return { ok: false, reason: 'wrong_issuer', problem: 'issuer' };

  // Recipient on the (signed) subject confirmation must be this workspace's ACS.
  const confirmations = (first(assertion.Subject)?.SubjectConfirmation as XmlNode[] | undefined) ?? [];
  const bearer = confirmations
    .map((confirmation) => first(confirmation.SubjectConfirmationData)?.$)
    .filter((data): data is Record<string, string> => data !== undefined);
  if (bearer.length === 0 || bearer.some((data) => data.Recipient !== acsUrl)) {
    return { ok: false, reason: 'wrong_recipient', problem: 'recipient' };
  }
  // The response's Destination, when present, must be the ACS too (SAML core 3.2.2).
  const responseXml = profile.getSamlResponseXml?.() ?? '';
  const destination = /<(?:\w+:)?Response\b[^>]*\sDestination="([^"]*)"/.exec(responseXml)?.[1];
  if (destination !== undefined && destination !== acsUrl) {
    return { ok: false, reason: 'wrong_recipient', problem: 'destination' };
  }

  // The validity window once more, on Gatehouse's own clock.
  const conditions = first(assertion.Conditions)?.$ ?? {};
  const times = [conditions.NotOnOrAfter, ...bearer.map((data) => data.NotOnOrAfter)]
    .filter((value): value is string => typeof value === 'string')
    .map((value) => Date.parse(value));
  if (times.length === 0 || times.some((time) => Number.isNaN(time))) {
    return { ok: false, reason: 'assertion_expired', problem: 'no_not_on_or_after' };
  }
  const notBefore = conditions.NotBefore ? Date.parse(conditions.NotBefore) : undefined;
  if (notBefore !== undefined && nowMs + SAML_CLOCK_SKEW_MS < notBefore) {
    return { ok: false, reason: 'assertion_expired', problem: 'not_before' };
  }
  if (times.some((time) => nowMs - SAML_CLOCK_SKEW_MS >= time)) {
    return { ok: false, reason: 'assertion_expired', problem: 'not_on_or_after' };
  }
  // Remember the ID for as long as the assertion could still be presented.
  return { ok: true, assertionId, keepUntil: new Date(Math.max(...times) + SAML_CLOCK_SKEW_MS) };
}

export async function completeSamlSignIn(
  deps: SamlSignInDeps,
  input: {
    slug: string;
    samlResponse: string;
    /**
     * The AuthnRequest ID this browser's cookie names, when the answer must come back to the browser that
     * started the sign-in (https deployments): a response for another browser's request is refused.
     */
    browserBinding?: { requestId: string | undefined };
  },
  context: RequestContext,
): Promise<SamlSignInResult> {
  const { db } = deps.unitOfWork;
  const config = await findSamlConfig(db, input.slug);
  if (!config) return { ok: false, reason: 'unavailable' };
  const { workspace } = config;
  const workspaceSlug = workspace.slug;
  const acsUrl = spUrls(deps.publicUrl, workspaceSlug).acsUrl;
  const refuse = (reason: SamlFailure, details: Record<string, unknown> = {}): Promise<SamlSignInResult> =>
    deps.unitOfWork.run((tx) => refuseFederatedSignIn(tx, workspace, 'saml', reason, context, details));
  if (workspace.mode !== 'idp') return refuse('unavailable', { problem: 'not_idp_mode' });
  if (workspace.idp_protocol !== 'saml') return refuse('unavailable', { problem: 'not_saml_protocol' });

  let profile: Profile;
  try {
    const result = await serviceProvider(db, config, deps.publicUrl, deps.clock).validatePostResponseAsync({
      SAMLResponse: input.samlResponse,
    });
    if (!result.profile) return refuse('invalid_response', { problem: 'no_profile' });
    profile = result.profile;
  } catch (error) {
    let reason = failureOf(error);
    if (reason === 'expired') {
      // Name a replay as such: the request this response answers was already answered.
      const inResponseTo = /\sInResponseTo="([^"]{1,200})"/.exec(
        Buffer.from(input.samlResponse, 'base64').toString('utf8'),
      )?.[1];
      if (inResponseTo && (await samlRequestState(db, workspace.id, inResponseTo)) === 'used') reason = 'replayed';
    }
    return refuse(reason, { message: String((error as Error)?.message ?? '').slice(0, 200) });
  }

  if (input.browserBinding && profile.inResponseTo !== input.browserBinding.requestId) {
    // Someone else's valid answer posted from this browser (login CSRF): it counts only where it started.
    return refuse('expired', { problem: 'other_browser' });
  }
  const checked = ownChecks(profile, config, acsUrl, deps.clock.now());
  if (!checked.ok) return refuse(checked.reason, { problem: checked.problem });

  const issuer = config.idpEntityId;
  const email =
    (
      attribute(profile, EMAIL_ATTRIBUTES, 320) ??
      (profile.nameIDFormat?.endsWith(':emailAddress') ? profile.nameID : null)
    )?.toLowerCase() ?? null;
  // A persistent NameID is the person at the IdP; any other format (transient, email) says nothing
  // lasting, so the person is known by their email in a verified domain instead.
  const subject =
    profile.nameIDFormat === PERSISTENT && profile.nameID ? profile.nameID : email ? `email:${email}` : null;
  const identityDetails = { issuer, subject, assertionId: checked.assertionId };
  // An AuthnContextClassRef counts as the IdP's second factor only when the workspace names it (SAML has
  // no standard list like OIDC's amr); otherwise Gatehouse MFA applies as after a password.
  const counted = workspace.idp_mfa_values;
  const assertionXml = profile.getAssertionXml?.();
  const mfa =
    counted && assertionXml ? (await authnContextClasses(assertionXml)).filter((c) => counted.includes(c)) : [];

  return deps.unitOfWork.run(async (tx): Promise<SamlSignInResult> => {
    const refuseIn = (reason: SamlFailure, details: Record<string, unknown> = {}) =>
      refuseFederatedSignIn(tx, workspace, 'saml', reason, context, { ...identityDetails, ...details });

    // Each assertion once, across every instance: the primary key refuses the second.
    const consumed = await tx
      .insertInto('saml_consumed_assertions')
      .values({ id: checked.assertionId, workspace_id: workspace.id, expires_at: checked.keepUntil })
      .onConflict((oc) => oc.columns(['workspace_id', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!consumed) return refuseIn('replayed');
    await tx
      .deleteFrom('saml_consumed_assertions')
      .where('workspace_id', '=', workspace.id)
      .where('expires_at', '<', new Date(deps.clock.now()))
      .execute();

    if (!subject) return refuseIn('email_missing');
    return finishFederatedSignIn(
      tx,
      deps.clock,
      workspace,
      {
        via: 'saml',
        issuer,
        subject,
        email,
        // SAML has no email_verified: the IdP is trusted for the email only in the verified domains.
        emailVerified: true,
        displayName: attribute(profile, NAME_ATTRIBUTES),
        givenName: attribute(profile, GIVEN_ATTRIBUTES),
        familyName: attribute(profile, FAMILY_ATTRIBUTES),
        secondFactor: { claim: 'authnContext', values: mfa },
        details: { assertionId: checked.assertionId },
      },
      context,
    );
  });
}
