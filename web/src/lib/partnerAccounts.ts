import { call, client, type RequestBody, type ResponseBody } from '../api';
import type { AccountSummary } from './accounts';

/** Accounts shared with a local partner (SPEC §3): the partner's **Accounts** tab and **View details**. */

/** One row of the partner's **Accounts** tab (GET /partners/:id/accounts). */
export type PartnerAccount = ResponseBody<'/api/v1/partners/{partnerId}/accounts', 'get'>['accounts'][number];

/** One account a partner member can use (GET /partners/:id/members/:userId/accounts). */
export type MemberAccount = ResponseBody<
  '/api/v1/partners/{partnerId}/members/{userId}/accounts',
  'get'
>['accounts'][number];

export type PartnerShare = RequestBody<'/api/v1/partners/{partnerId}/accounts', 'post'>['accounts'][number];

export const partnerAccountsApi = {
  list: (partnerId: string) =>
    call(() => client.GET('/api/v1/partners/{partnerId}/accounts', { params: { path: { partnerId } } })),
  share: (partnerId: string, accounts: PartnerShare[], accessUntil: string | null = null) =>
    call(() =>
      client.POST('/api/v1/partners/{partnerId}/accounts', {
        params: { path: { partnerId } },
        body: { accounts, accessUntil },
      }),
    ),
  remove: (partnerId: string, accountId: string) =>
    call(() =>
      client.DELETE('/api/v1/partners/{partnerId}/accounts/{accountId}', {
        params: { path: { partnerId, accountId } },
      }),
    ),
  ofMember: (partnerId: string, userId: string) =>
    call(() =>
      client.GET('/api/v1/partners/{partnerId}/members/{userId}/accounts', {
        params: { path: { partnerId, userId } },
      }),
    ),
};

export const partnerAccountKeys = {
  list: (partnerId: string) => ['partners', partnerId, 'accounts'] as const,
  ofMember: (partnerId: string, userId: string) => ['partners', partnerId, 'members', userId, 'accounts'] as const,
};

/** The accounts the user owns that are not shared with the partner yet: what **Share accounts** offers. */
export function shareableAccounts(mine: AccountSummary[], shared: PartnerAccount[]): AccountSummary[] {
  const already = new Set(shared.map((a) => a.id));
  return mine.filter((a) => a.role === 'owner' && !already.has(a.id));
}
