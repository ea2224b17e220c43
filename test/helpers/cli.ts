import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** The `gatehouse` command as users run it (the compiled server; vitest's global set-up builds it). */
export const GATEHOUSE_BIN = path.resolve('bin/gatehouse.mjs');

/** Runs one `gatehouse` command to its end. */
export function runGatehouse(args: string[], env: Record<string, string>, timeoutMs = 90_000) {
  const result = spawnSync(process.execPath, [GATEHOUSE_BIN, ...args], {
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

/** Starts `gatehouse serve` as its own process and resolves once it is listening. */
export function serveGatehouse(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)","publicUrl"/.exec(output);
      if (match) resolve({ child, url: match[1]!, log: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
}

/** Stops a served process (SIGTERM) and waits for it to exit. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
