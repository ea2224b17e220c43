import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { breakGlassResetMfa, breakGlassResetPassword, type BreakGlassTarget } from '../services/break-glass.js';
import { newTemporaryCredential } from '../services/invitations/credentials.js';
import { checkMasterKey, WorkspaceKeyring } from '../services/keyring.js';
import { recordActivityWith } from '../services/activity.js';
import { parseCommandArgs, UsageError } from './usage-error.js';

/**
 * `gatehouse users reset-mfa | reset-password --workspace SLUG --email ADDRESS`: the operator's
 * break-glass (SPEC §2a), for anyone, the owner included. Run it on the server, with the same
 * configuration (database, master key) as `gatehouse serve`; with the embedded database, while the
 * server is stopped. The person's sessions end and they are emailed (the outbox sends it once the server
 * runs); the activity log records it with no actor and `via: cli`.
 */
export async function usersCommand(config: Config, sub: string | undefined, argv: string[]): Promise<number> {
  if (sub !== 'reset-mfa' && sub !== 'reset-password') {
    throw new UsageError(`Unknown users command "${sub ?? ''}": use reset-mfa or reset-password.`);
  }
  const { values } = parseCommandArgs(() =>
    parseArgs({
      args: argv,
      options: { workspace: { type: 'string' }, email: { type: 'string' } },
      strict: true,
    }),
  );
  const target: BreakGlassTarget = {
    workspaceSlug: values.workspace?.trim() ?? '',
    email: values.email?.trim() ?? '',
  };
  if (!target.workspaceSlug) throw new UsageError('--workspace: the workspace (its URL name, e.g. acme) is required');
  if (!target.email) throw new UsageError("--email: the person's email address is required");

  // argon2 before the database opens: no transaction waits on it.
  const credential = sub === 'reset-password' ? await newTemporaryCredential() : undefined;
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir).key;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    // The mail is sealed with the workspace's data key: this master key must open it, as the server's does.
    await checkMasterKey(database.db, masterKey);
    const deps = { masterKey, keyring: new WorkspaceKeyring(masterKey), publicUrl: config.publicUrl };
    recordActivityWith(database.db, deps.keyring);
    const unit = createUnitOfWork(database.db);
    if (credential) {
      const reset = await unit.run((tx) => breakGlassResetPassword(tx, deps, target, credential));
      console.log(`Reset the password of ${reset.displayName} (${reset.email}); every session of theirs has ended.`);
      console.log(`Username: ${reset.username}`);
      console.log(`Temporary password: ${credential.password}`);
      console.log('It is shown only this once: hand it over in person or by another channel than their email.');
      console.log('At their next sign-in they pass their second factor, if they have one, then choose a new password.');
    } else {
      const reset = await unit.run((tx) => breakGlassResetMfa(tx, deps, target));
      const parts = [
        reset.removed.totpRemoved ? 'the authenticator app' : null,
        reset.removed.passkeysRemoved > 0 ? `${reset.removed.passkeysRemoved} passkey(s)` : null,
        `${reset.removed.recoveryCodesRemoved} recovery code(s)`,
      ].filter((part) => part !== null);
      console.log(`Reset the MFA of ${reset.displayName} (${reset.email}): removed ${parts.join(', ')}.`);
      console.log(
        'Every session of theirs has ended; they were emailed, and must turn MFA on again at their next sign-in.',
      );
    }
    return 0;
  } finally {
    await database.close();
  }
}
