import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { verifyTotp } from '../../crypto/totp.js';
import { recordUserEvent } from '../activity.js';
import { replaceRecoveryCodes } from '../recovery-codes.js';
import { recordSecondFactor } from '../second-factor.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { countedSecondFactor, type CountedSecondFactorDeps } from './counted-second-factor.js';
import { noTotpEnrolment, totpCodeFromSetAsideKey, totpCodeInvalid, totpCodeMalformed } from './mfa-problems.js';
import { normalizeTotpCode, openSecret, pendingTotpFactors, type SecondFactorDeps } from './shared.js';

export interface ConfirmedTotp {
  /** The ten new recovery codes when TOTP is the user's first factor, to be shown once; otherwise null. */
  recoveryCodes: string[] | null;
}

/**
 * Confirms the pending enrolment with its first code. On success the factor is on, its step is spent,
 * any earlier authenticator is replaced, and the session counts as having passed a second factor.
 */
export async function confirmTotpEnrolment(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  code: string,
  context: RequestContext,
): Promise<ConfirmedTotp> {
  const userId = session.user.id;
  const [pending, ...setAside] = await pendingTotpFactors(tx, userId);
  if (!pending) throw noTotpEnrolment();
  const timeMs = deps.clock.now();
  const typed = normalizeTotpCode(code);
  const result = verifyTotp(await openSecret(tx, deps.keyring, session, pending), typed, {
    timeMs,
    lastUsedStep: null,
  });
  if (!result.ok) {
    if (result.reason === 'format') throw totpCodeMalformed();
    for (const earlier of setAside) {
      const fromEarlier = verifyTotp(await openSecret(tx, deps.keyring, session, earlier), typed, {
        timeMs,
        lastUsedStep: null,
      });
      if (fromEarlier.ok) throw totpCodeFromSetAsideKey();
    }
    throw totpCodeInvalid();
  }

  const existing = await tx
    .selectFrom('mfa_factors')
    .select(['id', 'kind'])
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .forUpdate()
    .execute();
  const replaced = existing.filter((f) => f.kind === 'totp');
  if (replaced.length > 0) {
    await tx
      .deleteFrom('mfa_factors')
      .where(
        'id',
        'in',
        replaced.map((f) => f.id),
      )
      .execute();
  }
  await tx
    .updateTable('mfa_factors')
    .set({ confirmed_at: sql`now()`, last_used_at: sql`now()`, totp_last_step: result.step })
    .where('id', '=', pending.id)
    .execute();
  if (setAside.length > 0) {
    await tx
      .deleteFrom('mfa_factors')
      .where(
        'id',
        'in',
        setAside.map((f) => f.id),
      )
      .execute();
  }
  const firstFactor = existing.length === 0;
  const recoveryCodes = firstFactor ? await replaceRecoveryCodes(tx, userId) : null;
  await recordUserEvent(tx, session.actor, context, 'mfa.turned_on', userId, {
    method: 'totp',
    replacedPrevious: replaced.length > 0,
  });
  await recordSecondFactor(tx, deps.clock, session, 'totp', 'identity', context);
  return { recoveryCodes };
}

/** **Turn on MFA**, last step: the first code of the new authenticator app, counted as a second-factor attempt. */
export function finishTotpEnrolment(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  code: string,
  context: RequestContext,
): Promise<ConfirmedTotp> {
  return countedSecondFactor(deps, session, context, { method: 'totp', purpose: 'enrolment' }, (tx) =>
    confirmTotpEnrolment(tx, deps, session, code, context),
  );
}
