import { call, client, type RequestBody, type ResponseBody } from '../api';

export type SsoSettings = ResponseBody<'/api/v1/workspace/sso', 'get'>;
export type SsoSettingsChanges = RequestBody<'/api/v1/workspace/sso', 'put'>;
export type SsoConnectionTest = ResponseBody<'/api/v1/workspace/sso/test', 'post'>;

export const ssoSettingsKey = ['workspace', 'sso'] as const;

/** Single sign-on settings (SPEC §2b): the workspace's OpenID Connect provider and how members sign in. */
export const ssoApi = {
  get: () => call(() => client.GET('/api/v1/workspace/sso')),
  save: (body: SsoSettingsChanges) => call(() => client.PUT('/api/v1/workspace/sso', { body })),
  switchMode: (mode: 'local' | 'idp') => call(() => client.PUT('/api/v1/workspace/sso/mode', { body: { mode } })),
  test: (issuer: string) => call(() => client.POST('/api/v1/workspace/sso/test', { body: { issuer } })),
};
