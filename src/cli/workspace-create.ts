import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createWorkspace, prepareOwnerPassword } from '../services/workspaces.js';
import { DisplayName, Email, Password, Slug } from '../http/schemas.js';
import { UsageError } from './usage-error.js';

const Options = z.strictObject({
  slug: Slug,
  name: DisplayName,
  'owner-email': Email,
  'owner-password': Password,
  'owner-name': DisplayName.optional(),
  mode: z.enum(['local', 'idp']).default('local'),
  domain: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { error: 'must be a domain such as acme.test' })).default([]),
});

export async function workspaceCreateCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      'owner-name': { type: 'string' },
      mode: { type: 'string' },
      domain: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UsageError(`--${String(first.path[0] ?? '')}: ${first.message}`);
  }
  const options = parsed.data;
  const input = {
    slug: options.slug,
    name: options.name,
    mode: options.mode,
    domains: options.domain,
    owner: {
      email: options['owner-email'],
      displayName: options['owner-name'] ?? options['owner-email'].split('@')[0]!,
      password: options['owner-password'],
    },
  };
  const passwordHash = await prepareOwnerPassword(input);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const created = await database.db
      .transaction()
      .execute((tx) => createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'gatehouse-cli' }));
    console.log(JSON.stringify({ workspaceId: created.workspace.id, slug: created.workspace.slug, ownerId: created.owner.id }));
    return 0;
  } finally {
    await database.close();
  }
}
