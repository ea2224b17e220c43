import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { recordUserEvent } from '../activity.js';
import { replaceRecoveryCodes } from '../recovery-codes.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';

export async function regenerateRecoveryCodes(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<string[]> {
  const codes = await replaceRecoveryCodes(tx, session.user.id);
  await recordUserEvent(tx, session.actor, context, 'mfa.recovery_codes_regenerated', session.user.id, {
    count: codes.length,
  });
  return codes;
}
