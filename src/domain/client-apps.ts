import type { ClientAppKind, DeviceKind } from './vocabulary.js';

/** Every client app a workspace can approve (SPEC §7a), in the order settings list them. */
export const CLIENT_APP_KINDS = ['extension', 'cli'] as const satisfies readonly ClientAppKind[];

/** What a new workspace approves: the browser extension, not the command line. */
export const DEFAULT_APPROVED_CLIENT_APPS: readonly ClientAppKind[] = ['extension'];

const CLIENT_APP_NAMES: Record<DeviceKind, string> = {
  browser: 'web app',
  extension: 'browser extension',
  cli: 'command line',
};

/** A client's name as a sentence names it: "the browser extension". */
export function clientAppName(kind: DeviceKind): string {
  return CLIENT_APP_NAMES[kind];
}

/**
 * Whether a device of this kind may register and receive secrets in a workspace approving `approved`.
 * The web app itself (a `browser` device) is always allowed: the setting is about the other clients.
 */
export function clientAppIsApproved(kind: DeviceKind, approved: readonly ClientAppKind[]): boolean {
  return kind === 'browser' || approved.includes(kind);
}
