import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseMasterKey } from '../config.js';

export interface MasterKeySource {
  key: Buffer;
  /** 'config' when GATEHOUSE_MASTER_KEY was given; otherwise the development key file's path. */
  origin: 'config' | 'generated' | 'file';
  file?: string;
}

/** The generated development key's file name in the data directory. */
export const DEVELOPMENT_KEY_FILE = 'master.key';

/**
 * In production the master key comes from GATEHOUSE_MASTER_KEY. Without it (development) a key is
 * generated once into the data directory, readable only by its owner, and reused afterwards.
 */
export function resolveMasterKey(configured: Buffer | undefined, dataDir: string): MasterKeySource {
  if (configured) return { key: configured, origin: 'config' };
  const file = path.join(dataDir, DEVELOPMENT_KEY_FILE);
  if (fs.existsSync(file)) {
    return { key: parseMasterKey(fs.readFileSync(file, 'utf8').trim()), origin: 'file', file };
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, origin: 'generated', file };
}
