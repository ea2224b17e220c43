import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Database } from './schema.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_partners_invitations.js';
import * as m0003 from './migrations/0003_mfa_devices_limits.js';
import * as m0004 from './migrations/0004_vault.js';
import * as m0005 from './migrations/0005_approved_client_apps.js';
import * as m0006 from './migrations/0006_connect_requests.js';
import * as m0007 from './migrations/0007_activity_by_target.js';
import * as m0008 from './migrations/0008_members_lifecycle.js';
import * as m0009 from './migrations/0009_oidc_identities.js';
import * as m0010 from './migrations/0010_activity_chain_off_request_path.js';
import * as m0011 from './migrations/0011_access_that_ends.js';
import * as m0012 from './migrations/0012_access_reviews.js';
import * as m0013 from './migrations/0013_notification_preferences.js';
import * as m0015 from './migrations/0015_scim_tokens.js';
import * as m0016 from './migrations/0016_sso_settings.js';
import * as m0017 from './migrations/0017_saml.js';
import * as m0018 from './migrations/0018_oidc_client_auth.js';
import * as m0019 from './migrations/0019_sso_protocol.js';
import * as m0020 from './migrations/0020_account_access_reviews.js';
import * as m0021 from './migrations/0021_signing_key_rotation.js';

/** Migrations are listed here, in order, so they work the same from sources, tests and the CLI. */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_partners_invitations': m0002,
  '0003_mfa_devices_limits': m0003,
  '0004_vault': m0004,
  '0005_approved_client_apps': m0005,
  '0006_connect_requests': m0006,
  '0007_activity_by_target': m0007,
  '0008_members_lifecycle': m0008,
  '0009_oidc_identities': m0009,
  '0010_activity_chain_off_request_path': m0010,
  '0011_access_that_ends': m0011,
  '0012_access_reviews': m0012,
  '0013_notification_preferences': m0013,
  '0015_scim_tokens': m0015,
  '0016_sso_settings': m0016,
  '0017_saml': m0017,
  '0018_oidc_client_auth': m0018,
  '0019_sso_protocol': m0019,
  '0020_account_access_reviews': m0020,
  '0021_signing_key_rotation': m0021,
};

/** Every migration this version knows, in order (a backup made by a newer version has more). */
export const migrationNames: readonly string[] = Object.keys(migrations);

const provider: MigrationProvider = { getMigrations: async () => migrations };

const migratorFor = (db: Kysely<Database>) =>
  new Migrator({
    db,
    provider,
    migrationTableName: 'gatehouse_migrations',
    migrationLockTableName: 'gatehouse_migrations_lock',
  });

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return applied(await migratorFor(db).migrateToLatest());
}

/** Migrates up to and including `name` (tests of an upgrade start from an older schema). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<string[]> {
  if (!migrationNames.includes(name)) throw new Error(`Unknown migration ${name}`);
  return applied(await migratorFor(db).migrateTo(name));
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
