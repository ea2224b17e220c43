import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { generateRecoveryCodes, hashRecoveryCode, recoveryCodeMatches } from '../crypto/recovery-codes.js';

/** Replaces a user's recovery codes with ten new ones; returns them in clear, to be shown once. */
export async function replaceRecoveryCodes(tx: Kysely<Database>, userId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await tx
    .insertInto('recovery_codes')
    .values(codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(code) })))
    .execute();
  return codes;
}

/**
 * Spends one unused recovery code. The row is locked and re-checked, so two requests racing with the same
 * code cannot both succeed. Returns how many codes remain, or null when the code matches none.
 */
export async function useRecoveryCode(tx: Kysely<Database>, userId: string, code: string): Promise<number | null> {
  const unused = await tx
    .selectFrom('recovery_codes')
    .select(['id', 'code_hash'])
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .forUpdate()
    .execute();
  const match = unused.find((row) => recoveryCodeMatches(code, row.code_hash));
  if (!match) return null;
  await tx
    .updateTable('recovery_codes')
    .set({ used_at: sql`now()` })
    .where('id', '=', match.id)
    .execute();
  return unused.length - 1;
}

export async function countUnusedRecoveryCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
