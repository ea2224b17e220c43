import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { acceptTerms } from '../../src/services/terms.js';

/**
 * A member who signs in only through the identity provider (no Gatehouse password) and has already
 * accepted the terms, so a sign-in lands on the dashboard. Returns their user id.
 */
export async function addIdpMember(
  unitOfWork: { run<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> },
  workspaceId: string,
  person: { email: string; displayName: string },
): Promise<string> {
  return unitOfWork.run(async (tx) => {
    const member = await tx
      .insertInto('users')
      .values({
        workspace_id: workspaceId,
        email: person.email,
        username: person.email,
        display_name: person.displayName,
        kind: 'member',
        role: 'member',
        status: 'active',
        password_hash: null,
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await acceptTerms(
      tx,
      { userId: member.id, workspaceId, role: 'member', status: 'active' },
      { version: 1 },
      { ip: null, userAgent: 'test' },
    );
    return member.id;
  });
}
