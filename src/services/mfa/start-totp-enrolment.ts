import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { base32Encode, generateTotpSecret, otpauthUri } from '../../crypto/totp.js';
import { recordUserEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import type { WorkspaceKeyring } from '../keyring.js';
import { openSecret, pendingTotpFactors, totpAssociatedData } from './shared.js';

const TOTP_FACTOR_NAME = 'Authenticator app';

export interface TotpEnrolment {
  /** The base32 key in groups of four, for typing into an app. */
  key: string;
  uri: string;
  /** The URI as a QR code, a PNG data: URL. */
  qrCode: string;
  /** The key already waiting for its first code (the page was reloaded, or opened elsewhere), not a new one. */
  resumed: boolean;
}

/** "ABCDEFGH…" → "ABCD EFGH …" */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function issuerFor(workspaceName: string): string {
  // Authenticator apps split the label on a colon; keep the workspace name readable without one.
  const name = workspaceName.replace(/:/g, ' ').replace(/\s+/g, ' ').trim();
  return name ? `Gatehouse (${name})` : 'Gatehouse';
}

/** Keys set aside by **Start over**, kept this long only to recognise their codes and say what happened. */
const SET_ASIDE_KEY_HOURS = 24;

/**
 * Starts a TOTP enrolment, or resumes the one waiting for its first code: reloading the page must not
 * change the key a person has already scanned. The key stays until it is confirmed or cancelled;
 * `startOver` sets it aside for a new one (the newest unconfirmed row is the one waiting; older ones are
 * kept a day, only so that a code from them can be recognised). A user who already has MFA on is changing
 * it, which needs a confirmed identity (SPEC §5: the caller checks); the new authenticator replaces the old
 * one only once its first code is confirmed.
 */
export async function startTotpEnrolment(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  session: AuthenticatedSession,
  context: RequestContext,
  { startOver = false }: { startOver?: boolean } = {},
): Promise<TotpEnrolment> {
  const userId = session.user.id;
  await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - ${SET_ASIDE_KEY_HOURS} * interval '1 hour'`)
    .execute();
  const waiting = await pendingTotpFactors(tx, userId);
  const current = waiting[0];
  let secret: string;
  let resumed = false;
  if (current && !startOver) {
    secret = base32Encode(await openSecret(tx, keyring, session, current));
    resumed = true;
  } else {
    const factorId = randomUUID();
    secret = generateTotpSecret();
    await tx
      .insertInto('mfa_factors')
      .values({
        id: factorId,
        user_id: userId,
        kind: 'totp',
        name: TOTP_FACTOR_NAME,
        // Sealed with the workspace's data key, so a master key rotation re-wraps it with the rest.
        totp_sealed_secret: await keyring.seal(tx, session.workspace.id, secret, totpAssociatedData(userId, factorId)),
        // Strictly after the key it sets aside, even within one transaction's now().
        created_at: current
          ? sql<Date>`greatest(now(), ${current.created_at}::timestamptz + interval '1 millisecond')`
          : sql<Date>`now()`,
      })
      .execute();
    if (current) {
      await recordUserEvent(tx, session.actor, context, 'mfa.setup_restarted', userId, { method: 'totp' });
    }
  }
  const uri = otpauthUri({ secret, accountName: session.user.email, issuer: issuerFor(session.workspace.name) });
  const qrCode = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return { key: groupKey(secret), uri, qrCode, resumed };
}
