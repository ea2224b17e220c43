import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { checkKeptHead, verifyActivityChain } from '../services/activity-chain.js';
import { checkMasterKey, WorkspaceKeyring } from '../services/keyring.js';
import { parseCommandArgs, UsageError } from './usage-error.js';

/**
 * `gatehouse activity verify [--workspace SLUG] [--expect-head POSITION:HASH]`: walks each workspace's
 * activity chain and checks every event's MAC (SPEC §8). Exits 1 naming the first event that was edited,
 * deleted, moved or stripped of its MAC; prints the head to keep outside the database, so that a later
 * `--expect-head` also detects a log cut back or rewritten before it. Needs the server's master key.
 */
export async function activityCommand(config: Config, sub: string | undefined, argv: string[]): Promise<number> {
  if (sub !== 'verify') throw new UsageError(`Unknown activity command "${sub ?? ''}": use verify.`);
  const { values } = parseCommandArgs(() =>
    parseArgs({
      args: argv,
      options: { workspace: { type: 'string' }, 'expect-head': { type: 'string' } },
      strict: true,
    }),
  );
  const keptHead = values['expect-head'] === undefined ? undefined : parseHead(values['expect-head']);
  if (keptHead && !values.workspace)
    throw new UsageError('--expect-head needs --workspace: a head belongs to one workspace');

  const masterKey = resolveMasterKey(config.masterKey, config.dataDir).key;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    await checkMasterKey(database.db, masterKey);
    const keyring = new WorkspaceKeyring(masterKey);
    let query = database.db.selectFrom('workspaces').select(['id', 'slug']).orderBy('slug');
    if (values.workspace) query = query.where('slug', '=', values.workspace.trim());
    const workspaces = await query.execute();
    if (values.workspace && workspaces.length === 0) {
      throw new UsageError(`--workspace: no workspace is named "${values.workspace}"`);
    }
    let broken = 0;
    for (const workspace of workspaces) {
      const report = await verifyActivityChain(database.db, keyring, workspace.id);
      const headProblem = !report.problem && keptHead ? await checkKeptHead(database.db, workspace.id, keptHead) : null;
      if (report.problem || headProblem) {
        broken += 1;
        console.log(`${workspace.slug}: the activity log does NOT verify. ${report.problem?.message ?? headProblem}`);
        continue;
      }
      const counts = `${report.chained} event(s) linked, ${report.pending} awaiting linking (checked by their MAC)`;
      console.log(`${workspace.slug}: the activity log verifies: ${counts}.`);
      if (report.head)
        console.log(`  head (keep it to check later with --expect-head): ${report.head.position}:${report.head.hash}`);
    }
    return broken > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

function parseHead(text: string): { position: string; hash: string } {
  const match = /^(\d{1,18}):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new UsageError('--expect-head: give POSITION:HASH as printed by an earlier verify');
  return { position: match[1]!, hash: match[2]! };
}
