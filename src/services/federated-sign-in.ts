import { sql, type Kysely } from 'kysely';
import type { Database, User, Workspace } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { effectiveState } from '../domain/invitations.js';
import { hashToken } from '../crypto/tokens.js';
import { recordEvent } from './activity.js';
import { openSession } from './sessions/open-session.js';
import { isUniqueViolation } from './users.js';

/**
 * The end of a member's sign-in through the workspace's identity provider, whichever protocol vouched for
 * them (SPEC §2b): find the person by issuer + subject, or link them the first time by an email the IdP
 * vouches for in one of the workspace's verified domains, or create them just in time; refuse guests and
 * deactivated people; accept an invited member's invitation; then open the session as a password sign-in
 * does. OIDC (oidc-sign-in.ts) and SAML (saml-sign-in.ts) validate their own messages, then call this.
 */

/** Why a federated sign-in ended without a session, once the IdP's answer was found valid. */
export type FederatedFailure =
  | 'expired' // a concurrent sign-in of the same person created or linked them first: try again
  | 'email_missing' // no email to link or create by
  | 'email_unverified' // the IdP does not say the email is verified (OIDC's email_verified)
  | 'domain_not_verified' // the email is outside the workspace's verified domains
  | 'not_provisioned' // nobody to link, and just-in-time provisioning is off
  | 'guest' // the email belongs to a guest, who never signs in through the IdP
  | 'invitation_expired' // an invited member whose invitation is no longer pending
  | 'deactivated';

/** Who the identity provider says signed in, in terms both protocols share. */
export interface FederatedIdentity {
  via: 'oidc' | 'saml';
  issuer: string;
  subject: string;
  /** Lower-cased; null when the IdP sent none. */
  email: string | null;
  /** Whether the IdP vouches for the email (OIDC's `email_verified`; SAML has no such claim: true). */
  emailVerified: boolean;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  /** The IdP-asserted second factor values the workspace counts; empty: Gatehouse MFA applies. */
  secondFactor: { claim: 'amr' | 'authnContext'; values: string[] };
  /** Added to every event about this sign-in besides issuer and subject (e.g. SAML's assertion ID). */
  details?: Record<string, unknown>;
}

export type FederatedSignInResult<Reason extends string> =
  | { ok: true; token: string; workspaceSlug: string; userId: string }
  | { ok: false; reason: Reason; workspaceSlug: string };

/** Records a refused federated sign-in (`auth.sign_in_failed`, with how and why) and answers the refusal. */
export async function refuseFederatedSignIn<Reason extends string>(
  tx: Kysely<Database>,
  workspace: Pick<Workspace, 'id' | 'slug'>,
  via: 'oidc' | 'saml',
  reason: Reason,
  context: RequestContext,
  details: Record<string, unknown> = {},
  user?: Pick<User, 'id'>,
): Promise<FederatedSignInResult<Reason>> {
  await recordEvent(tx, {
    workspaceId: workspace.id,
    actorId: user?.id ?? null,
    action: 'auth.sign_in_failed',
    targetType: user ? 'user' : undefined,
    targetId: user?.id,
    context,
    details: { via, method: via, reason, ...details },
  });
  return { ok: false, reason, workspaceSlug: workspace.slug };
}

export async function finishFederatedSignIn(
  tx: Kysely<Database>,
  clock: Clock,
  workspace: Workspace,
  identity: FederatedIdentity,
  context: RequestContext,
  /** The session the browser presented before signing in: it ends here (session rotation). */
  replacedToken?: string,
): Promise<FederatedSignInResult<FederatedFailure>> {
  const { via, issuer, subject, email } = identity;
  const identityDetails = { issuer, subject, ...identity.details };
  const refuse = (reason: FederatedFailure, details: Record<string, unknown> = {}, user?: Pick<User, 'id'>) =>
    refuseFederatedSignIn(tx, workspace, via, reason, context, { ...identityDetails, ...details }, user);

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
  let identityId: string;
  if (linked) {
    const { identity_id, ...row } = linked;
    user = row;
    identityId = identity_id;
  } else {
    // First sign-in: link only by an email the IdP vouches for, in a domain the workspace verified.
    if (!email || !email.includes('@')) return refuse('email_missing');
    if (!identity.emailVerified) return refuse('email_unverified', { email });
    const domain = email.slice(email.lastIndexOf('@') + 1);
    const domains = workspace.verified_domains.map((d) => d.toLowerCase());
    if (!domains.includes(domain)) return refuse('domain_not_verified', { email });
    const existing = await tx
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspace.id)
      .where(sql<string>`lower(email)`, '=', email)
      .forUpdate()
      .executeTakeFirst();
    if (existing) {
      if (existing.kind === 'guest') return refuse('guest', { email }, existing);
      user = existing;
    } else {
      if (!workspace.idp_jit) return refuse('not_provisioned', { email });
      const created = await createJustInTime(tx, workspace, identity, email);
      // The same person signing in twice at once: the other request created them; ask them to retry.
      if (!created) return refuse('expired', { problem: 'concurrent_creation' });
      user = created;
      await recordEvent(tx, {
        workspaceId: workspace.id,
        actorId: user.id,
        action: 'user.created_jit',
        targetType: 'user',
        targetId: user.id,
        context,
        details: { email, role: 'member', via, ...identityDetails },
      });
    }
    if (user.status === 'deactivated') return refuse('deactivated', {}, user);
    const identityRow = await tx
      .insertInto('user_identities')
      .values({ user_id: user.id, workspace_id: workspace.id, issuer, subject })
      .onConflict((oc) => oc.columns(['workspace_id', 'issuer', 'subject']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!identityRow) return refuse('expired', { problem: 'concurrent_link' });
    identityId = identityRow.id;
    await recordEvent(tx, {
      workspaceId: workspace.id,
      actorId: user.id,
      action: 'user.identity_linked',
      targetType: 'user',
      targetId: user.id,
      context,
      details: { ...identityDetails, email, via },
    });
  }

  if (user.kind === 'guest') return refuse('guest', {}, user);
  if (user.status === 'deactivated') return refuse('deactivated', {}, user);
  if (user.status === 'invited') {
    const joined = await acceptPendingInvitation(tx, workspace, user, via, context);
    if (!joined.ok) return refuse('invitation_expired', { invitationId: joined.invitationId }, user);
  }

  await tx
    .updateTable('user_identities')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', identityId)
    .execute();
  if (replacedToken) {
    await tx
      .updateTable('sessions')
      .set({ ended_at: sql`now()` })
      .where('token_hash', '=', hashToken(replacedToken))
      .where('ended_at', 'is', null)
      .execute();
  }
  const { claim, values } = identity.secondFactor;
  const token = await openSession(tx, clock, user.id, workspace.id, context, undefined, {
    via,
    secondFactorPassed: values.length > 0,
    // `method` is what the sign-in metrics count by (metrics-activity.ts).
    details: { method: via, ...identityDetails, ...(values.length > 0 ? { [claim]: values } : {}) },
  });
  return { ok: true, token, workspaceSlug: workspace.slug, userId: user.id };
}

/** A member created the first time the IdP vouches for them; undefined if a concurrent sign-in did it first. */
async function createJustInTime(
  tx: Kysely<Database>,
  workspace: Pick<Workspace, 'id'>,
  identity: FederatedIdentity,
  email: string,
): Promise<User | undefined> {
  const { givenName, familyName } = identity;
  const displayName = identity.displayName ?? ([givenName, familyName].filter(Boolean).join(' ') || email);
  return tx
    .insertInto('users')
    .values({
      workspace_id: workspace.id,
      email,
      username: email,
      display_name: displayName,
      given_name: givenName,
      family_name: familyName,
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
}

/** An invited member who signs in through the IdP has joined: their pending invitation is accepted. */
async function acceptPendingInvitation(
  tx: Kysely<Database>,
  workspace: Pick<Workspace, 'id'>,
  user: Pick<User, 'id'>,
  via: 'oidc' | 'saml',
  context: RequestContext,
): Promise<{ ok: true } | { ok: false; invitationId: string | null }> {
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
    return { ok: false, invitationId: invitation?.id ?? null };
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
    details: { invitationId: invitation.id, role: invitation.role, via },
  });
  await recordEvent(tx, { ...event, action: 'user.activated' });
  return { ok: true };
}
