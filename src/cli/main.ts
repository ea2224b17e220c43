import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirLockedError } from '../db/lock.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve                  Serve the web app and the API (the default)
  migrate                Apply pending database migrations and exit
  workspace create       Create a workspace and its owner; prints the ids as JSON
      --slug acme --name "Acme Inc" --owner-email a@acme.test --owner-password '…'
      [--owner-name "Ada Owner"] [--mode local|idp] [--domain acme.test]…
      with --mode idp: --idp-issuer https://login.acme.test --idp-client-id ID
      [--idp-redirect-seconds N]   (waiting-page countdown, 0–60, default 5)
  workspace set-idp-secret  Store the OIDC client secret, sealed, from GATEHOUSE_IDP_CLIENT_SECRET
      --slug acme             (empty variable: remove it; never passed on the command line)
  users reset-mfa        Break-glass: remove a person's second factors and end their sessions (the owner too)
      --workspace acme --email a@acme.test
  users reset-password   Break-glass: print a temporary password, to be changed at the next sign-in
      --workspace acme --email a@acme.test
  activity verify        Check every workspace's activity chain; exit 1 naming the first tampered event
      [--workspace acme] [--expect-head POSITION:HASH]   (the head an earlier run printed)
  keys rotate            Wrap the data keys under GATEHOUSE_NEW_MASTER_KEY too (servers keep running)
  keys prune             After restarting with the new key: remove the old master key's wraps
  keys status            Which master keys wrap the data keys, and whether this one opens them all
  backup --out FILE      Archive the embedded database (server stopped) [--force: replace FILE]
  restore FILE           Restore a backup into a new data directory (needs the backup's master key)

Configuration comes from environment variables; see the README.`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, strict: false, allowPositionals: true });
  const [command = 'serve', sub] = positionals;
  if (command === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    // Commands load lazily so that a quick command (or a configuration error) does not pay for them all.
    case 'serve':
      return (await import('./serve.js')).serveCommand(config);
    case 'migrate':
      return (await import('./migrate.js')).migrateCommand(config);
    case 'workspace':
      if (sub === 'create')
        return (await import('./workspace-create.js')).workspaceCreateCommand(config, argv.slice(2));
      if (sub === 'set-idp-secret')
        return (await import('./workspace-idp-secret.js')).workspaceIdpSecretCommand(config, argv.slice(2));
      throw new UsageError(`Unknown workspace command "${sub ?? ''}".`);
    case 'users':
      return (await import('./users.js')).usersCommand(config, sub, argv.slice(2));
    case 'activity':
      return (await import('./activity.js')).activityCommand(config, sub, argv.slice(2));
    case 'keys':
      return (await import('./keys.js')).keysCommand(config, sub);
    case 'backup':
      return (await import('./backup.js')).backupCommand(config, argv.slice(1));
    case 'restore':
      return (await import('./restore.js')).restoreCommand(config, argv.slice(1));
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof DataDirLockedError) console.error(`Error: ${error.message}`);
    else if (error instanceof Error && (error.name === 'MasterKeyMismatchError' || error.name === 'BackupError'))
      console.error(`Error: ${error.message}`);
    else if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else if (error instanceof Error && error.name === 'AppError') console.error(`Error: ${error.message}`);
    else console.error(error);
    process.exitCode = error instanceof UsageError ? 64 : 1;
  },
);
