import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import { base32Decode } from '../../crypto/totp.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import type { WorkspaceKeyring } from '../keyring.js';

/**
 * TOTP second factor and recovery codes (SPEC §5): enrolment with a first code, verification at sign-in
 * and for **Confirm your identity**, turning TOTP off, regenerating recovery codes.
 *
 * One use case per file in this folder (start-totp-enrolment, cancel-totp-enrolment, confirm-totp-enrolment,
 * verify-second-factor, turn-off-totp, regenerate-recovery-codes, mfa-status; mfa-problems are their answers,
 * counted-second-factor counts each check as an attempt); this one holds what they share: the sealed TOTP key.
 */

/** Binds a sealed secret to its user and factor row: copied to another row, it fails to open. */
export function totpAssociatedData(userId: string, factorId: string): string {
  return `mfa-totp:${userId}:${factorId}`;
}

/** What a second-factor check reads: the workspace keys (sealed TOTP secrets) and the time (its steps). */
export interface SecondFactorDeps {
  keyring: WorkspaceKeyring;
  clock: Clock;
}

/** The user's unconfirmed TOTP keys, the one waiting for its first code first. */
export function pendingTotpFactors(tx: Kysely<Database>, userId: string) {
  return tx
    .selectFrom('mfa_factors')
    .select(['id', 'totp_sealed_secret', 'created_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .execute();
}

export async function openSecret(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  session: AuthenticatedSession,
  row: { id: string; totp_sealed_secret: string | null },
): Promise<Buffer> {
  if (!row.totp_sealed_secret) throw new Error('A TOTP factor has no secret');
  const aad = totpAssociatedData(session.user.id, row.id);
  return base32Decode(await keyring.open(tx, session.workspace.id, row.totp_sealed_secret, aad));
}

/** Digits only: people type "123 456" as often as "123456". */
export function normalizeTotpCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}
