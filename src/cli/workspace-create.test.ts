import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { workspaceCreateCommand } from './workspace-create.js';
import { UsageError } from './usage-error.js';

/** Flag checks happen before the database is opened, so these need none. */
describe('gatehouse workspace create: identity provider flags', () => {
  const config = loadConfig({ GATEHOUSE_DATA_DIR: os.tmpdir(), GATEHOUSE_LOG_LEVEL: 'silent' });
  const base = [
    '--slug',
    'acme',
    '--name',
    'Acme',
    '--owner-email',
    'a@acme.test',
    '--owner-password',
    'correct horse battery',
  ];
  const refusal = async (extra: string[]) => {
    const error = await workspaceCreateCommand(config, [...base, ...extra]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  };

  it('requires an issuer and a client id in idp mode', async () => {
    expect(await refusal(['--mode', 'idp', '--idp-client-id', 'x'])).toMatch(
      /^--idp-issuer: is required with --mode idp/,
    );
    expect(await refusal(['--mode', 'idp', '--idp-issuer', 'https://login.acme.test'])).toMatch(
      /^--idp-client-id: is required/,
    );
  });

  it('validates the issuer and the countdown', async () => {
    const idp = ['--mode', 'idp', '--idp-client-id', 'x'];
    expect(await refusal([...idp, '--idp-issuer', 'http://login.acme.test'])).toMatch(
      /^--idp-issuer: must be an https:\/\/ URL/,
    );
    expect(await refusal([...idp, '--idp-issuer', 'https://login.acme.test', '--idp-redirect-seconds', '61'])).toMatch(
      /^--idp-redirect-seconds: must be a whole number of seconds from 0 to 60/,
    );
    expect(
      await refusal([...idp, '--idp-issuer', 'https://login.acme.test', '--idp-redirect-seconds', 'soon']),
    ).toMatch(/^--idp-redirect-seconds:/);
  });

  it('refuses IdP flags without --mode idp', async () => {
    expect(await refusal(['--idp-issuer', 'https://login.acme.test', '--idp-client-id', 'x'])).toMatch(
      /^--idp-issuer: applies only with --mode idp/,
    );
  });
});
