import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The backup file of `gatehouse backup` / `gatehouse restore`: a plain POSIX tar that standard tools read
 * (`tar -xOf FILE manifest.json`), holding two members, in this order:
 * - `manifest.json`: what the archive is and what restoring it needs (see BackupManifest);
 * - `pglite-data.tar.gz`: PGlite's own dump of its data directory (`dumpDataDir('gzip')`).
 */
export const MANIFEST_MEMBER = 'manifest.json';
export const DATABASE_MEMBER = 'pglite-data.tar.gz';
export const ARCHIVE_FORMAT = 'gatehouse-backup';
export const ARCHIVE_FORMAT_VERSION = 1;

/** A backup or restore that cannot go on, for a reason the operator can act on; printed as one line. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export const BackupManifest = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int(),
  gatehouseVersion: z.string(),
  createdAt: z.iso.datetime(),
  database: z.object({
    kind: z.literal('pglite'),
    postgresVersion: z.string(),
    member: z.literal(DATABASE_MEMBER),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** Applied migrations, in order; the last one is the schema level. */
  migrations: z.array(z.string()),
  /** The master keys whose wraps the data keys have: restoring needs one of them to read the vault. */
  masterKeyIds: z.array(z.string()),
  workspaces: z.number().int().nonnegative(),
  dataKeys: z.number().int().nonnegative(),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The running Gatehouse's version, from the package.json above this file (sources or compiled output). */
export function gatehouseVersion(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(directory, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gatehouse' && pkg.version) return pkg.version;
    }
    const parent = path.dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
}

// --- A minimal ustar writer and reader: two regular files, nothing else. ---

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o600, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  header.write(' '.repeat(8), 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(`${checksum(header).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** The ustar header checksum: the sum of its bytes with the checksum field counted as spaces. */
function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

export function writeArchive(manifest: BackupManifest, databaseDump: Uint8Array): Buffer {
  const createdAt = new Date(manifest.createdAt);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const parts: Buffer[] = [];
  for (const [name, bytes] of [
    [MANIFEST_MEMBER, manifestBytes],
    [DATABASE_MEMBER, Buffer.from(databaseDump)],
  ] as const) {
    parts.push(tarHeader(name, bytes.length, createdAt), bytes, padding(bytes.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function readTarMembers(archive: Buffer): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  if (archive.length < BLOCK || archive.subarray(257, 262).toString('ascii') !== 'ustar') {
    throw new Error('it is not a tar archive');
  }
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return members;
    const stored = Number.parseInt(
      header
        .subarray(148, 156)
        .toString('ascii')
        .replace(/[\0 ]+$/, ''),
      8,
    );
    if (stored !== checksum(header)) throw new Error('a damaged tar header');
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(
      header
        .subarray(124, 136)
        .toString('ascii')
        .replace(/[\0 ]+$/, ''),
      8,
    );
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('a damaged tar header');
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error('it is truncated');
    members.set(name, archive.subarray(start, start + size));
    offset = start + size + padding(size).length;
  }
  throw new Error('it is truncated');
}

/**
 * Reads and checks a backup file: its manifest, the format version, and the dump's length and SHA-256,
 * so that a truncated or altered archive is refused before anything is written.
 */
export function readArchive(archive: Buffer, file: string): { manifest: BackupManifest; databaseDump: Buffer } {
  let members: Map<string, Buffer>;
  try {
    members = readTarMembers(archive);
  } catch (error) {
    throw new BackupError(`${file} is not a readable Gatehouse backup: ${(error as Error).message}.`);
  }
  const manifestBytes = members.get(MANIFEST_MEMBER);
  if (!manifestBytes) throw new BackupError(`${file} is not a Gatehouse backup: it has no ${MANIFEST_MEMBER}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new BackupError(`${file} is not a readable Gatehouse backup: its ${MANIFEST_MEMBER} is not JSON.`);
  }
  const format = (raw as { format?: unknown; formatVersion?: unknown } | null) ?? {};
  if (format.format !== ARCHIVE_FORMAT) {
    throw new BackupError(`${file} is not a Gatehouse backup: its ${MANIFEST_MEMBER} names no "${ARCHIVE_FORMAT}".`);
  }
  if (format.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new BackupError(
      `${file} is a Gatehouse backup in format version ${String(format.formatVersion)}, which this Gatehouse ` +
        `(format version ${ARCHIVE_FORMAT_VERSION}) cannot read; restore it with the Gatehouse version that made it.`,
    );
  }
  const parsed = BackupManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupError(
      `${file} has a damaged ${MANIFEST_MEMBER}: ${issue.path.join('.') || 'the manifest'} ${issue.message}.`,
    );
  }
  const manifest = parsed.data;
  const databaseDump = members.get(DATABASE_MEMBER);
  if (!databaseDump) throw new BackupError(`${file} is not a complete Gatehouse backup: it has no ${DATABASE_MEMBER}.`);
  if (databaseDump.length !== manifest.database.bytes || sha256(databaseDump) !== manifest.database.sha256) {
    throw new BackupError(
      `${file} is damaged: its database dump does not match the checksum in its manifest (copied incompletely?).`,
    );
  }
  return { manifest, databaseDump };
}

/**
 * Writes the file whole or not at all: a temporary file beside it (mode 0600), flushed, then moved into
 * place. Without `overwrite`, an existing file is never replaced, even one created meanwhile.
 */
export function writeFileAtomically(file: string, bytes: Buffer, overwrite: boolean): void {
  const directory = path.dirname(file);
  const temporary = path.join(
    directory,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const fd = fs.openSync(temporary, 'wx', 0o600);
  try {
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (overwrite) {
      fs.renameSync(temporary, file);
    } else {
      linkWithoutOverwrite(temporary, file);
      fs.rmSync(temporary, { force: true });
    }
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.chmodSync(file, 0o600);
  syncDirectory(directory);
}

/** A hard link fails if the name exists, so two runs cannot overwrite each other's file. */
function linkWithoutOverwrite(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // File systems without hard links: check, then rename (a narrow race instead of none).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    if (fs.existsSync(to)) throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
    fs.renameSync(from, to);
  }
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the file itself is already flushed.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
