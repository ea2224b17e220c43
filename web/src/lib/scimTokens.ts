import { call, client, type ResponseBody } from '../api';

export type ScimTokens = ResponseBody<'/api/v1/workspace/scim-tokens', 'get'>;
export type ScimToken = ScimTokens['tokens'][number];

export const scimTokensKey = ['workspace', 'scim-tokens'] as const;

/** SCIM tokens (SPEC §2b): the identity provider's keys to /scim/v2, managed by the owner and admins. */
export const scimTokensApi = {
  list: () => call(() => client.GET('/api/v1/workspace/scim-tokens')),
  create: (name: string) => call(() => client.POST('/api/v1/workspace/scim-tokens', { body: { name } })),
  revoke: (tokenId: string) =>
    call(() => client.DELETE('/api/v1/workspace/scim-tokens/{tokenId}', { params: { path: { tokenId } } })),
};
