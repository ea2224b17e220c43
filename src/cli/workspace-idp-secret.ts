import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { checkMasterKey, WorkspaceKeyring } from '../services/keyring.js';
import { recordActivityWith } from '../services/activity.js';
import { setIdpClientSecret } from '../services/oidc-sign-in.js';
import { UsageError } from './usage-error.js';

/**
 * `gatehouse workspace set-idp-secret --slug acme`: stores the OIDC client secret from
 * GATEHOUSE_IDP_CLIENT_SECRET, sealed with the workspace's data key (never from the command line, which
 * other users of the machine can read in the process list). An empty variable removes the secret.
 */
export async function workspaceIdpSecretCommand(config: Config, argv: string[], env = process.env): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { slug: { type: 'string' } }, strict: true });
  if (!values.slug) throw new UsageError('--slug: is required (the workspace whose client secret this is)');
  const secret = env.GATEHOUSE_IDP_CLIENT_SECRET;
  if (secret === undefined) {
    throw new UsageError('Set GATEHOUSE_IDP_CLIENT_SECRET to the client secret (empty to remove it).');
  }
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir).key;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    await checkMasterKey(database.db, masterKey);
    const workspace = await database.db
      .selectFrom('workspaces')
      .select(['id', 'mode'])
      .where('slug', '=', values.slug)
      .executeTakeFirst();
    if (!workspace) throw new UsageError(`--slug: no workspace is named "${values.slug}"`);
    const keyring = new WorkspaceKeyring(masterKey);
    recordActivityWith(database.db, keyring);
    await createUnitOfWork(database.db).run((tx) =>
      setIdpClientSecret(tx, keyring, workspace.id, secret.trim() === '' ? null : secret.trim()),
    );
    console.log(secret.trim() === '' ? 'Client secret removed.' : 'Client secret stored (sealed).');
    return 0;
  } finally {
    await database.close();
  }
}
