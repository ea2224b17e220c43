import fs from 'node:fs';

/** Thrown when another live process holds the embedded database. */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database at ${lockPath.replace(/\.lock$/, '')} is in use by another Gatehouse process (pid ${holderPid}). ` +
        'Stop that process first, or set GATEHOUSE_DATABASE_URL to share a PostgreSQL database between processes.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes an exclusive lock file beside a directory. PGlite does not lock its data directory, and two
 * processes writing one directory silently lose committed rows, so Gatehouse refuses to share it.
 * A lock left by a process that no longer runs is taken over.
 */
export function lockDirectory(directory: string): DirectoryLock {
  const lockPath = `${directory}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (readHolder(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { path: lockPath, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockPath);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new DataDirLockedError(lockPath, holder);
      }
      if (holder === process.pid) throw new DataDirLockedError(lockPath, holder);
      // Stale (holder gone) or half-written: remove it and race for it again; `wx` lets one winner through.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
