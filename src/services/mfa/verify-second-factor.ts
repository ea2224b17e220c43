import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { verifyTotp } from '../../crypto/totp.js';
import { recordUserEvent } from '../activity.js';
import { useRecoveryCode } from '../recovery-codes.js';
import { recordSecondFactor, type SecondFactorMethod, type SecondFactorPurpose } from '../second-factor.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { countedSecondFactor, type CountedSecondFactorDeps } from './counted-second-factor.js';
import { recoveryCodeInvalid, totpCodeInvalid, totpCodeMalformed, totpNotEnabled } from './mfa-problems.js';
import { normalizeTotpCode, openSecret, type SecondFactorDeps } from './shared.js';

export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Checks a TOTP code (replay refused: the step is stored) or spends a recovery code. Throws a
 * totp-code-invalid / recovery-code-invalid problem when it is wrong. Run inside a transaction: the
 * factor row (or the codes) are locked, so the same code cannot pass twice in parallel.
 */
export async function verifySecondFactor(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  context: RequestContext,
): Promise<SecondFactorMethod> {
  const userId = session.user.id;
  if ('recoveryCode' in proof) {
    const remaining = await useRecoveryCode(tx, userId, proof.recoveryCode);
    if (remaining === null) throw recoveryCodeInvalid();
    await recordUserEvent(tx, session.actor, context, 'mfa.recovery_code_used', userId, { remaining });
    return 'recovery_code';
  }
  const code = normalizeTotpCode(proof.code);
  if (!/^\d{6}$/.test(code)) throw totpCodeMalformed();
  const factor = await tx
    .selectFrom('mfa_factors')
    .select(['id', 'totp_sealed_secret', 'totp_last_step'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is not', null)
    .forUpdate()
    .executeTakeFirst();
  if (!factor) throw totpNotEnabled();
  const result = verifyTotp(await openSecret(tx, deps.keyring, session, factor), code, {
    timeMs: deps.clock.now(),
    lastUsedStep: factor.totp_last_step === null ? null : Number(factor.totp_last_step),
  });
  if (!result.ok) throw totpCodeInvalid();
  await tx
    .updateTable('mfa_factors')
    .set({ totp_last_step: result.step, last_used_at: sql`now()` })
    .where('id', '=', factor.id)
    .execute();
  return 'totp';
}

/** Verifies a code or recovery code and records the pass; for sign-in, returns the session's new token. */
export async function passSecondFactor(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  purpose: SecondFactorPurpose,
  context: RequestContext,
): Promise<string | undefined> {
  const method = await verifySecondFactor(tx, deps, session, proof, context);
  return recordSecondFactor(tx, deps.clock, session, method, purpose, context);
}

const methodOf = (proof: SecondFactorProof): 'totp' | 'recovery_code' => ('code' in proof ? 'totp' : 'recovery_code');

/** A code or recovery code, for sign-in or **Confirm your identity**, counted as a second-factor attempt. */
export function answerSecondFactor(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  purpose: SecondFactorPurpose,
  context: RequestContext,
): Promise<string | undefined> {
  return countedSecondFactor(deps, session, context, { method: methodOf(proof), purpose }, (tx) =>
    passSecondFactor(tx, deps, session, proof, purpose, context),
  );
}
