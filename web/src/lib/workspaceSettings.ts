import { call, client, type RequestBody, type ResponseBody } from '../api';

export type WorkspaceSettings = ResponseBody<'/api/v1/workspace/settings', 'get'>;
export type WorkspaceSettingsChanges = RequestBody<'/api/v1/workspace/settings', 'patch'>;
/** A client app a workspace can approve (SPEC §7a): the browser extension or the command line. */
export type ClientAppKind = WorkspaceSettings['approvedClientApps'][number];

export const workspaceSettingsKey = ['workspace', 'settings'] as const;
export const approvedClientAppsKey = ['workspace', 'client-apps'] as const;

/** The client apps' names, as the settings page and Install the client apps show them. */
export const clientAppLabels: Record<ClientAppKind, string> = {
  extension: 'Browser extension',
  cli: 'Command line',
};

export const workspaceSettingsApi = {
  get: () => call(() => client.GET('/api/v1/workspace/settings')),
  update: (changes: WorkspaceSettingsChanges) =>
    call(() => client.PATCH('/api/v1/workspace/settings', { body: changes })),
  /** Open to everyone signed in, unlike the settings themselves. */
  approvedClientApps: () => call(() => client.GET('/api/v1/workspace/client-apps')),
};
