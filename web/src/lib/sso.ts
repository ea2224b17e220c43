import { call, client, type RequestBody, type ResponseBody } from '../api';

export type SsoSettings = ResponseBody<'/api/v1/workspace/sso', 'get'>;
export type SsoSettingsChanges = RequestBody<'/api/v1/workspace/sso', 'put'>;
export type SsoConnectionTest = ResponseBody<'/api/v1/workspace/sso/test', 'post'>;
export type SsoConnectionTestInput = RequestBody<'/api/v1/workspace/sso/test', 'post'>;
export type SamlSettings = ResponseBody<'/api/v1/workspace/saml', 'get'>;

export const ssoSettingsKey = ['workspace', 'sso'] as const;
export const samlSettingsKey = ['workspace', 'saml'] as const;

/** Single sign-on settings (SPEC §2b): the workspace's identity provider (OIDC or SAML) and how members sign in. */
export const ssoApi = {
  get: () => call(() => client.GET('/api/v1/workspace/sso')),
  getSaml: () => call(() => client.GET('/api/v1/workspace/saml')),
  save: (body: SsoSettingsChanges) => call(() => client.PUT('/api/v1/workspace/sso', { body })),
  switchMode: (mode: 'local' | 'idp') => call(() => client.PUT('/api/v1/workspace/sso/mode', { body: { mode } })),
  test: (body: SsoConnectionTestInput) => call(() => client.POST('/api/v1/workspace/sso/test', { body })),
};
