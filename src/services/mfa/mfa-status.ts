import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { countUnusedRecoveryCodes } from '../recovery-codes.js';

export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export async function mfaStatus(db: Kysely<Database>, userId: string): Promise<MfaStatus> {
  const factors = await db
    .selectFrom('mfa_factors')
    .select(['kind'])
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .execute();
  return {
    totp: factors.some((f) => f.kind === 'totp'),
    passkeys: factors.filter((f) => f.kind === 'passkey').length,
    recoveryCodes: await countUnusedRecoveryCodes(db, userId),
  };
}

export interface SecondFactorMethods {
  totp: boolean;
  passkey: boolean;
  recoveryCode: boolean;
}

/** What the verification page may offer this user. */
export async function secondFactorMethods(db: Kysely<Database>, userId: string): Promise<SecondFactorMethods> {
  const status = await mfaStatus(db, userId);
  return { totp: status.totp, passkey: status.passkeys > 0, recoveryCode: status.recoveryCodes > 0 };
}
