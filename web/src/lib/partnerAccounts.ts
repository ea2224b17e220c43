import { request } from '../api';
import type { AccountSummary, GuestItemRole, ItemRole } from './accounts';

/** Accounts shared with a local partner (SPEC §3): the partner's **Accounts** tab and **View details**. */

/** One row of the partner's **Accounts** tab (GET /partners/:id/accounts). */
export interface PartnerAccount {
  id: string;
  name: string;
  appName: string;
  role: GuestItemRole;
  sharedAt: string;
}

/** One account a partner member can use (GET /partners/:id/members/:userId/accounts). */
export interface MemberAccount {
  id: string;
  name: string;
  appName: string;
  role: ItemRole;
}

export interface PartnerShare {
  accountId: string;
  role: GuestItemRole;
}

const seg = encodeURIComponent;

export const partnerAccountsApi = {
  list: (partnerId: string) => request<{ accounts: PartnerAccount[] }>('GET', `/partners/${seg(partnerId)}/accounts`),
  share: (partnerId: string, accounts: PartnerShare[]) =>
    request<void>('POST', `/partners/${seg(partnerId)}/accounts`, { accounts }),
  remove: (partnerId: string, accountId: string) =>
    request<void>('DELETE', `/partners/${seg(partnerId)}/accounts/${seg(accountId)}`),
  ofMember: (partnerId: string, userId: string) =>
    request<{ accounts: MemberAccount[] }>('GET', `/partners/${seg(partnerId)}/members/${seg(userId)}/accounts`),
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
