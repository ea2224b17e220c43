import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { toView, type PasskeyView } from './shared.js';

export async function listPasskeys(db: Kysely<Database>, userId: string): Promise<PasskeyView[]> {
  const rows = await db
    .selectFrom('mfa_factors')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .orderBy('created_at')
    .execute();
  return rows.map(toView);
}
