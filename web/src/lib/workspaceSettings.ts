import { request } from '../api';

export interface WorkspaceSettings {
  name: string;
  invitationTtlHours: number;
  passwordMinLength: number;
  idpRedirectSeconds: number;
  verifiedDomains: string[];
  deviceApprovalDays: number;
}

export const workspaceSettingsKey = ['workspace', 'settings'] as const;

export const workspaceSettingsApi = {
  get: () => request<WorkspaceSettings>('GET', '/workspace/settings'),
  update: (changes: Partial<WorkspaceSettings>) => request<WorkspaceSettings>('PATCH', '/workspace/settings', changes),
};
