import { createHmac } from 'node:crypto';
import { deriveKey } from '../../crypto/seal.js';

/**
 * A username that names nobody, as the activity log keeps it: what was typed may be a password typed
 * into the wrong field, so only an HMAC-SHA256 of it is stored, under a key derived from the master key
 * (a dump of the database cannot test guesses against it). Repeated tries of the same text give the
 * same value, so they can still be told apart and counted.
 */
export function unknownUsernameHash(masterKey: Buffer, workspaceId: string, username: string): string {
  return createHmac('sha256', deriveKey(masterKey, 'activity-unknown-username'))
    .update(`${workspaceId}:${username}`)
    .digest('base64url');
}
