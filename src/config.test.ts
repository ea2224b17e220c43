import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('defaults to the embedded database in ./data on localhost:3000', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/[\\/]data$/);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('localhost');
    expect(config.publicUrl.toString()).toBe('http://localhost:3000/');
  });

  it.each([
    [{ GATEHOUSE_DATABASE_URL: 'mysql://db/x' }, 'GATEHOUSE_DATABASE_URL', 'postgres://'],
    [{ GATEHOUSE_DATABASE_URL: 'not a url' }, 'GATEHOUSE_DATABASE_URL', 'not a valid URL'],
    [{ GATEHOUSE_PUBLIC_URL: 'ftp://x' }, 'GATEHOUSE_PUBLIC_URL', 'http://'],
    [{ GATEHOUSE_SMTP_URL: 'http://mail' }, 'GATEHOUSE_SMTP_URL', 'smtp://'],
    [{ GATEHOUSE_MAIL_FROM: 'nobody' }, 'GATEHOUSE_MAIL_FROM', 'email address'],
    [{ GATEHOUSE_MASTER_KEY: 'too-short' }, 'GATEHOUSE_MASTER_KEY', '32 random bytes'],
    [{ GATEHOUSE_REDIS_URL: 'localhost:6379' }, 'GATEHOUSE_REDIS_URL', 'redis://'],
    [{ PORT: 'eighty' }, 'PORT', 'whole number'],
    [{ PORT: '70000' }, 'PORT', 'whole number'],
    [{ HOST: 'two words' }, 'HOST', 'host name'],
    [{ GATEHOUSE_LOG_LEVEL: 'loud' }, 'GATEHOUSE_LOG_LEVEL', 'one of'],
  ])('refuses %o, naming %s', (env, variable, words) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).toContain(words);
    expect(error.message).not.toContain('\n');
  });

  it('accepts a base64 or hex master key of 32 bytes', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ GATEHOUSE_MASTER_KEY: base64 }).masterKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({ GATEHOUSE_MASTER_KEY: 'ab'.repeat(32) }).masterKey).toEqual(Buffer.alloc(32, 0xab));
  });

  it('never echoes a bad secret back in its message', () => {
    const error = errorFor({ GATEHOUSE_MASTER_KEY: 'my-secret-but-wrong-key' });
    expect(error.message).not.toContain('my-secret-but-wrong-key');
  });

  it('reads which reverse proxies to trust, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
    ]);
    expect(() => loadConfig({ GATEHOUSE_TRUST_PROXY: 'proxy.example' })).toThrow(/GATEHOUSE_TRUST_PROXY must be/);
  });

  it('leaves metrics off unless a token or a listen address is set', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsListen: undefined });
    const token = 'f'.repeat(64);
    expect(loadConfig({ GATEHOUSE_METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(loadConfig({ GATEHOUSE_METRICS_LISTEN: '127.0.0.1:9464' }).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(loadConfig({ GATEHOUSE_METRICS_LISTEN: '[::1]:0' }).metricsListen).toEqual({ host: '::1', port: 0 });
    expect(loadConfig({ GATEHOUSE_METRICS_LISTEN: 'metrics.internal:9464' }).metricsListen).toEqual({
      host: 'metrics.internal',
      port: 9464,
    });
  });

  it.each([
    [{ GATEHOUSE_METRICS_TOKEN: 'short-token' }, 'GATEHOUSE_METRICS_TOKEN', 'at least 32'],
    [{ GATEHOUSE_METRICS_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` }, 'GATEHOUSE_METRICS_TOKEN', 'without spaces'],
    [{ GATEHOUSE_METRICS_LISTEN: '9464' }, 'GATEHOUSE_METRICS_LISTEN', 'host:port'],
    [{ GATEHOUSE_METRICS_LISTEN: '::1:9464' }, 'GATEHOUSE_METRICS_LISTEN', 'host:port'],
    [{ GATEHOUSE_METRICS_LISTEN: '127.0.0.1:99999' }, 'GATEHOUSE_METRICS_LISTEN', 'whole number'],
  ])('refuses metrics setting %o, naming %s', (env, variable, words) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(words);
  });

  it('never echoes a bad metrics token back in its message', () => {
    expect(errorFor({ GATEHOUSE_METRICS_TOKEN: 'secret-but-short' }).message).not.toContain('secret-but-short');
  });
});
