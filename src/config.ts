import path from 'node:path';

/** A configuration problem the operator must fix; printed as one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: URL;
  smtpUrl: string | undefined;
  mailFrom: string;
  masterKey: Buffer | undefined;
  redisUrl: string | undefined;
  port: number;
  host: string;
  logLevel: string;
  /**
   * Which reverse proxies to believe about the client's address (X-Forwarded-For): false (none), true
   * (any), a number of hops, or a list of proxy addresses/CIDRs. Attempt counters per address need it
   * behind a proxy, or every client shares the proxy's address.
   */
  trustProxy: boolean | number | string[];
  /** Bearer token that turns on GET /metrics on the main port; undefined leaves that route out. */
  metricsToken: string | undefined;
  /** A separate address serving only /metrics, without a token (keep it off public networks). */
  metricsListen: { host: string; port: number } | undefined;
}

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function parseUrl(name: string, value: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.join(' or ')} URL)`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL`);
  }
  return url;
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, 'must be a whole number from 0 to 65535');
  const port = Number(value);
  if (port > 65535) throw new ConfigError(name, 'must be a whole number from 0 to 65535');
  return port;
}

/** Loose on purpose: `no-reply@localhost` is a fine sender in development. */
const MAILBOX = /^[^\s@<>]+@[^\s@<>]+$/;

/** Reads and validates the environment. Throws ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = optional(env, 'GATEHOUSE_DATABASE_URL');
  if (databaseUrl) parseUrl('GATEHOUSE_DATABASE_URL', databaseUrl, ['postgres', 'postgresql']);

  const dataDir = path.resolve(optional(env, 'GATEHOUSE_DATA_DIR') ?? 'data');
  const port = parsePort('PORT', optional(env, 'PORT'), 3000);
  const host = optional(env, 'HOST') ?? 'localhost';
  if (/\s/.test(host)) throw new ConfigError('HOST', 'must be a host name or IP address');

  const publicUrlText = optional(env, 'GATEHOUSE_PUBLIC_URL') ?? `http://localhost:${port}`;
  const publicUrl = parseUrl('GATEHOUSE_PUBLIC_URL', publicUrlText, ['http', 'https']);

  const smtpUrl = optional(env, 'GATEHOUSE_SMTP_URL');
  if (smtpUrl) parseUrl('GATEHOUSE_SMTP_URL', smtpUrl, ['smtp', 'smtps']);

  const mailFrom = optional(env, 'GATEHOUSE_MAIL_FROM') ?? `Gatehouse <no-reply@${publicUrl.hostname}>`;
  const bareFrom = /<([^>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  if (!MAILBOX.test(bareFrom)) {
    throw new ConfigError('GATEHOUSE_MAIL_FROM', 'must be an email address, optionally as "Name <address>"');
  }

  const masterKeyText = optional(env, 'GATEHOUSE_MASTER_KEY');
  const masterKey = masterKeyText ? parseMasterKey(masterKeyText) : undefined;

  const redisUrl = optional(env, 'GATEHOUSE_REDIS_URL');
  if (redisUrl) parseUrl('GATEHOUSE_REDIS_URL', redisUrl, ['redis', 'rediss']);

  const logLevel = optional(env, 'GATEHOUSE_LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('GATEHOUSE_LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }

  const trustProxy = parseTrustProxy(optional(env, 'GATEHOUSE_TRUST_PROXY'));

  const metricsToken = optional(env, 'GATEHOUSE_METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{32,}$/.test(metricsToken)) {
    throw new ConfigError(
      'GATEHOUSE_METRICS_TOKEN',
      'must be at least 32 printable characters without spaces (generate one with: openssl rand -hex 32)',
    );
  }
  const metricsListenText = optional(env, 'GATEHOUSE_METRICS_LISTEN');
  const metricsListen = metricsListenText
    ? parseListenAddress('GATEHOUSE_METRICS_LISTEN', metricsListenText)
    : undefined;

  return {
    databaseUrl,
    dataDir,
    publicUrl,
    smtpUrl,
    mailFrom,
    masterKey,
    redisUrl,
    port,
    host,
    logLevel,
    trustProxy,
    metricsToken,
    metricsListen,
  };
}

/** `host:port`, with an IPv6 address in brackets (`[::1]:9464`). */
function parseListenAddress(name: string, value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(name, 'must be host:port, for example 127.0.0.1:9464 or [::1]:9464');
  return { host: match[1] ?? match[2]!, port: parsePort(name, match[3], 0) };
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry))) {
    throw new ConfigError(
      'GATEHOUSE_TRUST_PROXY',
      'must be false, true, a number of proxy hops, or a comma-separated list of proxy addresses or CIDRs',
    );
  }
  return entries;
}

/** The master key is 32 random bytes, given as base64 (44 characters) or hex (64 characters). */
export function parseMasterKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(text) && key.toString('base64') !== text)) {
    throw new ConfigError(
      'GATEHOUSE_MASTER_KEY',
      'must be 32 random bytes in base64 or hex (generate one with: openssl rand -base64 32)',
    );
  }
  return key;
}
