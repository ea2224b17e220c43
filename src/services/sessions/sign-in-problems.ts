import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import { formatUtc } from '../../domain/time.js';

/** What a refused password sign-in answers. */

export const invalidCredentials = () =>
  new AppError('invalid-credentials', 401, 'Sign-in failed', 'Wrong username or password.');

/** SPEC §2b: a member of an idp workspace, right password and all, signs in through the IdP instead. */
export const signInWithIdp = (workspaceName: string) =>
  new AppError(
    'sign-in-with-idp',
    403,
    "Sign in with your company's account",
    `${workspaceName} signs its members in through the company's identity provider, not with a Gatehouse password. Sign in with your company account instead.`,
  );

export const guestAccessEnded = (endedAt: Date) =>
  new AppError(
    'guest-access-ended',
    401,
    'Guest access ended',
    `Your guest access ended on ${formatUtc(endedAt)}. Ask the person who invited you if you still need access.`,
  );

/**
 * What a removed guest is told on signing in with their password (rather than "Wrong username or
 * password"): that their access ended, and whom to ask — who invited them, from their newest invitation.
 */
export async function guestRemoved(db: Kysely<Database>, userId: string, workspaceName: string): Promise<AppError> {
  const last = await db
    .selectFrom('invitations as i')
    .innerJoin('partners as p', 'p.id', 'i.partner_id')
    .leftJoin('users as inviter', (join) =>
      join.onRef('inviter.id', '=', 'i.invited_by').on('inviter.status', '=', 'active'),
    )
    .select(['p.name as partner_name', 'inviter.display_name as inviter_name'])
    .where('i.user_id', '=', userId)
    .orderBy('i.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const whom = last?.inviter_name ? `${last.inviter_name} or another host admin` : 'a host admin';
  const of = last ? ` of ${last.partner_name}` : '';
  return new AppError(
    'guest-access-ended',
    401,
    'Guest access ended',
    `Your guest access to ${workspaceName} has ended: you were removed as a guest${of}. Ask ${whom} of ${workspaceName} if you still need access.`,
  );
}
