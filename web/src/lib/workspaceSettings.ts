import { call, client, type RequestBody, type ResponseBody } from '../api';

export type WorkspaceSettings = ResponseBody<'/api/v1/workspace/settings', 'get'>;
export type WorkspaceSettingsChanges = RequestBody<'/api/v1/workspace/settings', 'patch'>;

export const workspaceSettingsKey = ['workspace', 'settings'] as const;

export const workspaceSettingsApi = {
  get: () => call(() => client.GET('/api/v1/workspace/settings')),
  update: (changes: WorkspaceSettingsChanges) =>
    call(() => client.PATCH('/api/v1/workspace/settings', { body: changes })),
};
