import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { recordActivityWith } from '../services/activity.js';
import { checkMasterKey, WorkspaceKeyring } from '../services/keyring.js';
import {
  createWorkspace,
  prepareOwnerPassword,
  REDIRECT_SECONDS_RANGE,
  type CreateWorkspaceInput,
} from '../services/workspaces.js';
import { issuerUrlProblem } from '../services/oidc.js';
import { DisplayName, Email, Password, Slug } from '../http/schemas.js';
import { UsageError } from './usage-error.js';

const SECONDS_MESSAGE = `must be a whole number of seconds from ${REDIRECT_SECONDS_RANGE.min} to ${REDIRECT_SECONDS_RANGE.max}`;

const Options = z
  .strictObject({
    slug: Slug,
    name: DisplayName,
    'owner-email': Email,
    'owner-password': Password,
    'owner-name': DisplayName.optional(),
    mode: z.enum(['local', 'idp']).default('local'),
    domain: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { error: 'must be a domain such as acme.test' }),
      )
      .default([]),
    'idp-issuer': z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        const problem = issuerUrlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    'idp-client-id': z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(255, { error: 'must be at most 255 characters' })
      .optional(),
    'idp-redirect-seconds': z
      .string()
      .regex(/^\d+$/, { error: SECONDS_MESSAGE })
      .transform(Number)
      .refine((n) => n >= REDIRECT_SECONDS_RANGE.min && n <= REDIRECT_SECONDS_RANGE.max, { error: SECONDS_MESSAGE })
      .optional(),
  })
  .superRefine((options, ctx) => {
    const idpFlags = (['idp-issuer', 'idp-client-id', 'idp-redirect-seconds'] as const).filter(
      (flag) => options[flag] !== undefined,
    );
    if (options.mode !== 'idp') {
      for (const flag of idpFlags)
        ctx.addIssue({ code: 'custom', path: [flag], message: 'applies only with --mode idp' });
      return;
    }
    if (options['idp-issuer'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['idp-issuer'],
        message: "is required with --mode idp (the identity provider's issuer URL)",
      });
    }
    if (options['idp-client-id'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['idp-client-id'],
        message: 'is required with --mode idp (the client id registered at the identity provider)',
      });
    }
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
      'idp-issuer': { type: 'string' },
      'idp-client-id': { type: 'string' },
      'idp-redirect-seconds': { type: 'string' },
    },
    strict: true,
  });
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UsageError(`--${String(first.path[0] ?? '')}: ${first.message}`);
  }
  const options = parsed.data;
  const input: CreateWorkspaceInput = {
    slug: options.slug,
    name: options.name,
    mode: options.mode,
    domains: options.domain,
    owner: {
      email: options['owner-email'],
      displayName: options['owner-name'] ?? options['owner-email'].split('@')[0]!,
      password: options['owner-password'],
    },
    ...(options['idp-issuer'] !== undefined && options['idp-client-id'] !== undefined
      ? {
          idp: {
            issuer: options['idp-issuer'],
            clientId: options['idp-client-id'],
            redirectSeconds: options['idp-redirect-seconds'],
          },
        }
      : {}),
  };
  const passwordHash = await prepareOwnerPassword(input);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    // Its first activity events are MACed with the new workspace's data key, wrapped by the server's master key.
    const masterKey = resolveMasterKey(config.masterKey, config.dataDir).key;
    await checkMasterKey(database.db, masterKey);
    recordActivityWith(database.db, new WorkspaceKeyring(masterKey));
    const created = await createUnitOfWork(database.db).run((tx) =>
      createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'gatehouse-cli' }),
    );
    console.log(
      JSON.stringify({ workspaceId: created.workspace.id, slug: created.workspace.slug, ownerId: created.owner.id }),
    );
    return 0;
  } finally {
    await database.close();
  }
}
