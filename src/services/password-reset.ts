import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { AppError, invalid, type FieldError } from '../domain/errors.js';
import { checkPassword, describePolicy } from '../domain/password-policy.js';
import { RESET_LINK_TTL_MS, resetLinkState, resetOutcome, type ResetLinkState } from '../domain/password-reset.js';
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { passwordResetDoneMail, passwordResetIdpMail, passwordResetMail } from '../mail/password-mails.js';
import { recordEvent } from './activity.js';
import { RateLimitedError } from './attempt-errors.js';
import { addressKey } from './attempt-keys.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { endSessionsOf } from './partner-access.js';
import { unknownUsernameHash } from './sessions/unknown-username.js';

/**
 * **Forgot your password?** (SPEC §2a, issue 11): a reset link by email, 30 minutes, single use. The
 * request always gets the same answer, in the same time, whether or not the address belongs to anyone
 * (see docs/decisions.md, "Forgot your password?").
 */

/** Every request takes at least this long, whatever it found: far above the work it does. */
export const FORGOT_PASSWORD_MIN_RESPONSE_MS = 400;

/**
 * How many requests are acted on per hour: per account, per address typed (known or not) and per client
 * address (IPv6 by its /64). Past a limit the request is answered as always and nothing is sent.
 */
export const FORGOT_PASSWORD_LIMITS = {
  perAccount: 5,
  perAddress: 5,
  perClient: 20,
  windowMs: 60 * 60 * 1000,
} as const;

export interface PasswordResetDeps extends MailKeys {
  attempts: AttemptLimiter;
  clock: Clock;
  publicUrl: URL;
}

export interface ForgotPasswordInput {
  workspaceSlug: string;
  /** The email address or username typed (a guest's username is their email). */
  email: string;
}

/**
 * Answers a **Send reset link** request: always the same (the route says 202), never before
 * FORGOT_PASSWORD_MIN_RESPONSE_MS has passed since it started, so neither the answer nor its timing
 * tells whether the address has an account.
 */
export async function requestPasswordReset(
  unitOfWork: UnitOfWork,
  deps: PasswordResetDeps,
  input: ForgotPasswordInput,
  context: RequestContext,
): Promise<void> {
  const started = performance.now();
  try {
    await actOnRequest(unitOfWork, deps, input, context);
  } finally {
    const left = FORGOT_PASSWORD_MIN_RESPONSE_MS - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}

type LimitedOn = 'account' | 'address' | 'client';

async function actOnRequest(
  unitOfWork: UnitOfWork,
  deps: PasswordResetDeps,
  input: ForgotPasswordInput,
  context: RequestContext,
): Promise<void> {
  const { db } = unitOfWork;
  const typed = input.email.trim().toLowerCase();
  const workspace = await db
    .selectFrom('workspaces')
    .select(['id', 'slug', 'name', 'mode'])
    .where('slug', '=', input.workspaceSlug)
    .executeTakeFirst();
  const user = workspace
    ? await db
        .selectFrom('users')
        .select(['id', 'email', 'username', 'display_name', 'kind', 'role', 'status', 'password_hash'])
        .where('workspace_id', '=', workspace.id)
        .where((eb) => eb.or([eb(sql`lower(username)`, '=', typed), eb(sql`lower(email)`, '=', typed)]))
        // A username match wins over another person's email (usernames are emails, so this is rare).
        .orderBy(sql`lower(username) = ${typed}`, 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined;

  const limitedOn = await takeAllowances(deps.attempts, {
    client: context.ip ? addressKey(context.ip) : null,
    address: `${workspace?.id ?? `slug:${input.workspaceSlug}`}:${typed}`,
    account: user?.id ?? null,
  });
  if (!workspace) return;
  // The event names a known person; an unknown address only by its keyed hash, as a failed sign-in does.
  const about: { targetType?: string; targetId?: string; details: Record<string, unknown> } = user
    ? { targetType: 'user', targetId: user.id, details: {} }
    : { details: { usernameHash: unknownUsernameHash(deps.masterKey, workspace.id, typed) } };

  if (limitedOn) {
    // One event per limit and key in a window, not one per refused request: a flood cannot fill the log.
    const subject = limitedOn === 'client' ? (context.ip ?? '') : (user?.id ?? typed);
    const first = await firstRefusal(deps.attempts, limitedOn, `${workspace.id}:${subject}`);
    if (!first) return;
    await unitOfWork.run((tx) =>
      recordEvent(tx, {
        workspaceId: workspace.id,
        actorId: null,
        action: 'user.password_reset_requested',
        context,
        targetType: about.targetType,
        targetId: about.targetId,
        details: { ...about.details, outcome: 'rate_limited', limit: limitedOn },
      }),
    );
    return;
  }
  // An unknown address leaves no trace: there is nobody to tell, and the log is not a list of guesses.
  if (!user) return;

  const outcome = resetOutcome(
    { kind: user.kind, role: user.role, status: user.status, hasPassword: user.password_hash !== null },
    workspace.mode,
  );
  const event = {
    workspaceId: workspace.id,
    actorId: null,
    action: 'user.password_reset_requested',
    targetType: 'user',
    targetId: user.id,
    context,
  };
  await unitOfWork.run(async (tx) => {
    if (outcome === 'none') {
      await recordEvent(tx, { ...event, details: { outcome: user.status === 'active' ? 'no_password' : user.status } });
      return;
    }
    if (outcome === 'idp') {
      const mail = passwordResetIdpMail({
        workspaceName: workspace.name,
        displayName: user.display_name,
        signInUrl: new URL(`/w/${workspace.slug}`, deps.publicUrl).toString(),
        ip: context.ip,
      });
      await enqueueMail(tx, deps, { workspaceId: workspace.id, kind: 'password-reset-idp', to: user.email, ...mail });
      await recordEvent(tx, { ...event, details: { outcome: 'idp' } });
      return;
    }
    // One request at a time per person (the row lock), so two at once cannot leave two open links.
    await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
    const now = deps.clock.now();
    // A newer request voids the older links still unused: only the newest mail works.
    await voidOpenResets(tx, user.id, now);
    const token = randomToken();
    await tx
      .insertInto('password_resets')
      .values({
        workspace_id: workspace.id,
        user_id: user.id,
        token_hash: hashToken(token),
        expires_at: new Date(now + RESET_LINK_TTL_MS),
        requested_ip: context.ip,
      })
      .execute();
    const resetUrl = new URL(`/w/${workspace.slug}/reset-password`, deps.publicUrl);
    resetUrl.searchParams.set('token', token);
    const mail = passwordResetMail({
      workspaceName: workspace.name,
      displayName: user.display_name,
      resetUrl: resetUrl.toString(),
      validMinutes: RESET_LINK_TTL_MS / 60_000,
      ip: context.ip,
    });
    await enqueueMail(tx, deps, { workspaceId: workspace.id, kind: 'password-reset', to: user.email, ...mail });
    await recordEvent(tx, { ...event, details: { outcome: 'sent' } });
  });
}

/** Takes one request from each allowance; returns the first one spent, or null when all had room. */
async function takeAllowances(
  attempts: AttemptLimiter,
  keys: Record<LimitedOn, string | null>,
): Promise<LimitedOn | null> {
  const points: Record<LimitedOn, number> = {
    client: FORGOT_PASSWORD_LIMITS.perClient,
    address: FORGOT_PASSWORD_LIMITS.perAddress,
    account: FORGOT_PASSWORD_LIMITS.perAccount,
  };
  let limited: LimitedOn | null = null;
  // Every allowance is taken whatever an earlier one said, so a known and an unknown address do the same work.
  for (const on of ['client', 'address', 'account'] as const) {
    const key = keys[on] ?? `none:${on}`;
    try {
      await attempts.takeAllowance(`forgot-password-${on}`, key, points[on], FORGOT_PASSWORD_LIMITS.windowMs);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      if (keys[on] !== null) limited ??= on;
    }
  }
  return limited;
}

async function firstRefusal(attempts: AttemptLimiter, on: LimitedOn, key: string): Promise<boolean> {
  try {
    await attempts.takeAllowance(`forgot-password-refused-${on}`, key, 1, FORGOT_PASSWORD_LIMITS.windowMs);
    return true;
  } catch (error) {
    if (error instanceof RateLimitedError) return false;
    throw error;
  }
}

async function voidOpenResets(tx: Kysely<Database>, userId: string, now: number): Promise<void> {
  await tx
    .updateTable('password_resets')
    .set({ expires_at: new Date(now) })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date(now))
    .execute();
}

// ---------------------------------------------------------------------------------------------------
// The link

export type ResetLinkProblemState = Exclude<ResetLinkState, 'valid'> | 'unknown';

const LINK_PROBLEM_DETAILS: Record<ResetLinkProblemState, string> = {
  expired:
    'This reset link has expired (links work for 30 minutes) or was replaced by a newer one. Ask for a new link from the sign-in page.',
  used: 'This reset link was already used. Sign in with your new password, or ask for a new link from the sign-in page.',
  unknown: 'This reset link is not valid. Ask for a new link from the sign-in page.',
};

export const resetLinkInvalid = (state: ResetLinkProblemState) => {
  const problem = new AppError('reset-link-invalid', 410, 'Reset link not valid', LINK_PROBLEM_DETAILS[state]);
  problem.extensions = { state };
  return problem;
};

interface FoundReset {
  id: string;
  expires_at: Date;
  used_at: Date | null;
  user_id: string;
  workspace_id: string;
  email: string;
  username: string;
  display_name: string;
  kind: 'member' | 'guest';
  role: 'owner' | 'admin' | 'member' | 'guest';
  status: 'invited' | 'active' | 'deactivated';
  password_hash: string | null;
  must_change_password: boolean;
  w_slug: string;
  w_name: string;
  w_mode: 'local' | 'idp';
  password_min_length: number;
}

/**
 * The reset a token stands for, or null when there is none, or its person can no longer use one
 * (deactivated since, or now a member of an `idp` workspace): such a link is simply not valid.
 */
async function findReset(db: Kysely<Database>, token: string): Promise<FoundReset | null> {
  const row = await db
    .selectFrom('password_resets as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .innerJoin('workspaces as w', 'w.id', 'r.workspace_id')
    .select([
      'r.id',
      'r.expires_at',
      'r.used_at',
      'r.user_id',
      'r.workspace_id',
      'u.email',
      'u.username',
      'u.display_name',
      'u.kind',
      'u.role',
      'u.status',
      'u.password_hash',
      'u.must_change_password',
      'w.slug as w_slug',
      'w.name as w_name',
      'w.mode as w_mode',
      'w.password_min_length',
    ])
    .where('r.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return null;
  const outcome = resetOutcome(
    { kind: row.kind, role: row.role, status: row.status, hasPassword: row.password_hash !== null },
    row.w_mode,
  );
  return outcome === 'link' ? row : null;
}

export interface ResetLinkView {
  state: ResetLinkState;
  workspace: { slug: string; name: string };
  username: string;
  /** The rules as the Change Password page lists them (only a temporary password's holder sees that rule). */
  policy: { minLength: number; rules: Array<{ id: string; label: string }> };
}

/** What a reset link leads to: valid, expired or used (an unknown link is a 410 `reset-link-invalid`). */
export async function lookupResetLink(db: Kysely<Database>, clock: Clock, token: string): Promise<ResetLinkView> {
  const reset = await findReset(db, token);
  if (!reset) throw resetLinkInvalid('unknown');
  const policy = { minLength: reset.password_min_length };
  return {
    state: resetLinkState({ expiresAt: reset.expires_at, usedAt: reset.used_at }, clock.now()),
    workspace: { slug: reset.w_slug, name: reset.w_name },
    username: reset.username,
    policy: {
      minLength: policy.minLength,
      rules: describePolicy(policy).filter((rule) => rule.id !== 'not-temporary' || reset.must_change_password),
    },
  };
}

export interface ResetPasswordInput {
  token: string;
  newPassword: string;
  newPasswordAgain: string;
}

/**
 * Sets the password a reset link's holder chose: the workspace's policy, then the hash (before any
 * transaction opens), then in one transaction the link is taken (once: a second use, even a parallel
 * one, finds it used), every session of the person ends, client apps' included, and they are emailed.
 * Nobody is signed in: the next sign-in asks the password and the second factor as always.
 */
export async function resetPassword(
  unitOfWork: UnitOfWork,
  deps: PasswordResetDeps,
  input: ResetPasswordInput,
  context: RequestContext,
): Promise<void> {
  const reset = await findReset(unitOfWork.db, input.token);
  if (!reset) throw resetLinkInvalid('unknown');
  const state = resetLinkState({ expiresAt: reset.expires_at, usedAt: reset.used_at }, deps.clock.now());
  if (state !== 'valid') throw resetLinkInvalid(state);

  const errors: FieldError[] = checkPassword(
    input.newPassword,
    { username: reset.username, email: reset.email },
    { minLength: reset.password_min_length },
  ).map((message) => ({ path: 'newPassword', message }));
  // Someone still holding a temporary password may not choose it again (SPEC §4's policy).
  if (
    reset.must_change_password &&
    reset.password_hash &&
    (await verifyPassword(reset.password_hash, input.newPassword))
  ) {
    errors.push({ path: 'newPassword', message: 'Choose a password different from the temporary one.' });
  }
  if (input.newPassword !== input.newPasswordAgain) {
    errors.push({ path: 'newPasswordAgain', message: 'The two passwords do not match.' });
  }
  if (errors.length > 0) throw invalid('password-change-invalid', errors.map((e) => e.message).join(' '), errors);

  const passwordHash = await hashPassword(input.newPassword);
  await unitOfWork.run(async (tx) => {
    const now = new Date(deps.clock.now());
    // Taken under the row's lock: of two uses at once, the second finds it used and changes nothing.
    const taken = await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('id', '=', reset.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (!taken) throw resetLinkInvalid('used');
    const user = await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: false, updated_at: sql`now()` })
      .where('id', '=', reset.user_id)
      .where('status', '=', 'active')
      .returning('id')
      .executeTakeFirst();
    if (!user) throw resetLinkInvalid('unknown');
    // Any other link of theirs still open stops working too.
    await voidOpenResets(tx, reset.user_id, now.getTime());
    const ended = await tx
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', reset.user_id)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    await endSessionsOf(tx, reset.user_id);
    await recordEvent(tx, {
      workspaceId: reset.workspace_id,
      actorId: reset.user_id,
      action: 'user.password_reset',
      targetType: 'user',
      targetId: reset.user_id,
      context,
      details: { sessionsEnded: Number(ended.n) },
    });
    const mail = passwordResetDoneMail({
      workspaceName: reset.w_name,
      displayName: reset.display_name,
      ip: context.ip,
      signInUrl: new URL(`/w/${reset.w_slug}/sign-in`, deps.publicUrl).toString(),
    });
    await enqueueMail(tx, deps, {
      workspaceId: reset.workspace_id,
      kind: 'password-changed',
      to: reset.email,
      ...mail,
    });
  });
}
