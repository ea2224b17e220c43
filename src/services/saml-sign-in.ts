import { sql } from 'kysely';
import { SamlStatusError, type Profile } from '@node-saml/node-saml';
import type { User } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { effectiveState } from '../domain/invitations.js';
import { recordEvent } from './activity.js';
import {
  authnContextClasses,
  findSamlConfig,
  SAML_CLOCK_SKEW_MS,
  samlRequestState,
  serviceProvider,
  spUrls,
  type WorkspaceSamlConfig,
} from './saml.js';
import { openSession } from './sessions.js';
import { isUniqueViolation } from './users.js';

/**
 * The end of a member's sign-in through the workspace's SAML 2.0 identity provider (SPEC §2b). node-saml
 * checks the signature (assertion signed, or the whole response), InResponseTo against the AuthnRequest
 * Gatehouse issued, the audience and the validity window; Gatehouse then checks the issuer, the recipient
 * and destination, the window again on its own clock, and accepts each assertion ID once. Matching and
 * just-in-time provisioning are those of OpenID Connect; the session opens as a password sign-in's does.
 */

/** Why a SAML sign-in ended without a session; the sign-in page explains each in words. */
export type SamlFailure =
  | 'expired' // no pending request for the answer (unknown, too old), or the IdP-initiated kind
  | 'replayed' // the response or assertion was already used
  | 'unsigned' // the assertion (or response) carries no valid signature from the IdP's certificate
  | 'assertion_expired' // outside NotBefore / NotOnOrAfter, or older than the maximum age
  | 'wrong_audience'
  | 'wrong_recipient' // Recipient or Destination is not this workspace's ACS
  | 'wrong_issuer'
  | 'idp_error' // the IdP answered with a non-success status
  | 'invalid_response'
  | 'unavailable' // SAML is not set up for this workspace
  | 'email_missing'
  | 'domain_not_verified'
  | 'not_provisioned'
  | 'guest'
  | 'invitation_expired'
  | 'deactivated';

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
  const refuse = async (reason: SamlFailure, details: Record<string, unknown> = {}): Promise<SamlSignInResult> => {
    await deps.unitOfWork.run((tx) =>
      recordEvent(tx, {
        workspaceId: workspace.id,
        actorId: null,
        action: 'auth.sign_in_failed',
        context,
        details: { via: 'saml', method: 'saml', reason, ...details },
      }),
    );
    return { ok: false, reason, workspaceSlug };
  };
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
    const refuseIn = async (reason: SamlFailure, details: Record<string, unknown> = {}, user?: Pick<User, 'id'>) => {
      await recordEvent(tx, {
        workspaceId: workspace.id,
        actorId: user?.id ?? null,
        action: 'auth.sign_in_failed',
        targetType: user ? 'user' : undefined,
        targetId: user?.id,
        context,
        details: { via: 'saml', method: 'saml', reason, ...identityDetails, ...details },
      });
      return { ok: false as const, reason, workspaceSlug };
    };

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
    const linked = await tx
      .selectFrom('user_identities as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .selectAll('u')
      .select('i.id as identity_id')
      .where('i.workspace_id', '=', workspace.id)
      .where('i.issuer', '=', issuer)
      .where('i.subject', '=', subject)
      .forUpdate()
      .executeTakeFirst();

    let user: User;
    let identityId: string | undefined = linked?.identity_id;
    if (linked) {
      const { identity_id: _ignored, ...row } = linked;
      user = row;
    } else {
      // First sign-in: link only by an email in a domain the workspace verified (the IdP vouches for it).
      if (!email || !email.includes('@')) return refuseIn('email_missing');
      const domain = email.slice(email.lastIndexOf('@') + 1);
      const domains = workspace.verified_domains.map((d) => d.toLowerCase());
      if (!domains.includes(domain)) return refuseIn('domain_not_verified', { email });
      const existing = await tx
        .selectFrom('users')
        .selectAll()
        .where('workspace_id', '=', workspace.id)
        .where(sql<string>`lower(email)`, '=', email)
        .forUpdate()
        .executeTakeFirst();
      if (existing) {
        if (existing.kind === 'guest') return refuseIn('guest', { email }, existing);
        user = existing;
      } else {
        if (!workspace.idp_jit) return refuseIn('not_provisioned', { email });
        const given = attribute(profile, GIVEN_ATTRIBUTES);
        const family = attribute(profile, FAMILY_ATTRIBUTES);
        const displayName = attribute(profile, NAME_ATTRIBUTES) ?? ([given, family].filter(Boolean).join(' ') || email);
        const created = await tx
          .insertInto('users')
          .values({
            workspace_id: workspace.id,
            email,
            username: email,
            display_name: displayName,
            given_name: given,
            family_name: family,
            kind: 'member',
            role: 'member',
            status: 'active',
            password_hash: null,
            must_change_password: false,
            updated_at: sql<Date>`now()`,
          })
          .returningAll()
          .executeTakeFirst()
          .catch((error: unknown) => {
            if (isUniqueViolation(error)) return undefined;
            throw error;
          });
        if (!created) return refuseIn('expired', { problem: 'concurrent_creation' });
        user = created;
        await recordEvent(tx, {
          workspaceId: workspace.id,
          actorId: user.id,
          action: 'user.created_jit',
          targetType: 'user',
          targetId: user.id,
          context,
          details: { email, role: 'member', via: 'saml', issuer, subject },
        });
      }
      if (user.status === 'deactivated') return refuseIn('deactivated', {}, user);
      const identity = await tx
        .insertInto('user_identities')
        .values({ user_id: user.id, workspace_id: workspace.id, issuer, subject })
        .onConflict((oc) => oc.columns(['workspace_id', 'issuer', 'subject']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!identity) return refuseIn('expired', { problem: 'concurrent_link' });
      identityId = identity.id;
      await recordEvent(tx, {
        workspaceId: workspace.id,
        actorId: user.id,
        action: 'user.identity_linked',
        targetType: 'user',
        targetId: user.id,
        context,
        details: { issuer, subject, email, via: 'saml' },
      });
    }

    if (user.kind === 'guest') return refuseIn('guest', {}, user);
    if (user.status === 'deactivated') return refuseIn('deactivated', {}, user);
    if (user.status === 'invited') {
      // An invited member who signs in through the IdP has joined: the pending invitation is accepted.
      const invitation = await tx
        .selectFrom('invitations')
        .select(['id', 'state', 'expires_at', 'role'])
        .where('user_id', '=', user.id)
        .where('partner_id', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      if (!invitation || effectiveState(invitation) !== 'pending') {
        return refuseIn('invitation_expired', { invitationId: invitation?.id ?? null }, user);
      }
      await tx
        .updateTable('invitations')
        .set({ state: 'accepted', accepted_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', invitation.id)
        .execute();
      await tx
        .updateTable('users')
        .set({ status: 'active', updated_at: sql`now()` })
        .where('id', '=', user.id)
        .execute();
      const event = { workspaceId: workspace.id, actorId: user.id, targetType: 'user', targetId: user.id, context };
      await recordEvent(tx, {
        ...event,
        action: 'user.joined',
        details: { invitationId: invitation.id, role: invitation.role, via: 'saml' },
      });
      await recordEvent(tx, { ...event, action: 'user.activated' });
    }

    await tx
      .updateTable('user_identities')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', identityId!)
      .execute();
    const token = await openSession(tx, deps.clock, user.id, workspace.id, context, undefined, {
      via: 'saml',
      secondFactorPassed: mfa.length > 0,
      details: { method: 'saml', ...identityDetails, ...(mfa.length > 0 ? { authnContext: mfa } : {}) },
    });
    return { ok: true, token, workspaceSlug, userId: user.id };
  });
}
