import { request } from '../api';

/** The accounts vault (SPEC §1, §7) as the web app sees it: never a password unless an owner reveals it. */

export type ItemRole = 'owner' | 'manager' | 'collaborator';
export type GuestItemRole = Exclude<ItemRole, 'owner'>;
export type MemberItemRole = Exclude<ItemRole, 'manager'>;

/** One card of GET /accounts. */
export interface AccountSummary {
  id: string;
  name: string;
  appName: string;
  loginUrl: string | null;
  role: ItemRole;
  hasTotp: boolean;
}

/** What the server lets the web app offer; it checks each action again when it happens. */
export interface AccountPermissions {
  reveal: boolean;
  edit: boolean;
  delete: boolean;
  share: boolean;
  shareOnward: boolean;
  manageAccess: boolean;
}

export interface AccountDetail {
  id: string;
  name: string;
  appName: string;
  loginUrl: string | null;
  username: string | null;
  notes: string | null;
  hasPassword: boolean;
  hasTotp: boolean;
  role: ItemRole;
  permissions: AccountPermissions;
  createdAt: string;
  updatedAt: string;
}

/** The fields of **Add account** and **Edit**; null clears a field, a missing one stays as it is. */
export interface AccountInput {
  name?: string;
  appName?: string;
  loginUrl?: string | null;
  username?: string | null;
  password?: string | null;
  totpSecret?: string | null;
  notes?: string | null;
}

/** One line of the **Users** tab (GET /accounts/:id/access). */
export interface AccessEntry {
  kind: 'member' | 'partner' | 'guest';
  userId: string | null;
  partnerId: string | null;
  name: string;
  email: string | null;
  role: ItemRole;
  /** The partner a guest's access comes through; null for a direct share. */
  sharedVia: string | null;
  /** False when a guest admin's access comes only from the partner's share: remove it from the partner. */
  ownGrant: boolean;
  lastUsedAt: string | null;
  status: string | null;
}

export interface TotpCode {
  code: string;
  expiresAt: string;
}

export type SecretField = 'password' | 'totpSecret';

const seg = encodeURIComponent;

export const accountsApi = {
  list: (search: string) =>
    request<{ accounts: AccountSummary[] }>('GET', `/accounts${search ? `?search=${seg(search)}` : ''}`),
  create: (input: AccountInput) => request<AccountDetail>('POST', '/accounts', input),
  get: (id: string) => request<AccountDetail>('GET', `/accounts/${seg(id)}`),
  update: (id: string, input: AccountInput) => request<AccountDetail>('PATCH', `/accounts/${seg(id)}`, input),
  remove: (id: string) => request<void>('DELETE', `/accounts/${seg(id)}`),
  totpCode: (id: string) => request<TotpCode>('POST', `/accounts/${seg(id)}/totp-code`),
  reveal: (id: string, field: SecretField) =>
    request<{ value: string }>('POST', `/accounts/${seg(id)}/reveal`, { field }),
  access: (id: string) => request<{ entries: AccessEntry[] }>('GET', `/accounts/${seg(id)}/access`),
  shareWithMember: (id: string, userId: string, role: MemberItemRole) =>
    request<void>('POST', `/accounts/${seg(id)}/members`, { userId, role }),
  shareOnward: (id: string, userId: string) => request<void>('POST', `/accounts/${seg(id)}/onward-shares`, { userId }),
  changeGuestRole: (id: string, userId: string, role: GuestItemRole) =>
    request<void>('PUT', `/accounts/${seg(id)}/guests/${seg(userId)}/role`, { role }),
  removeAccess: (id: string, userId: string) => request<void>('DELETE', `/accounts/${seg(id)}/access/${seg(userId)}`),
};

export const accountKeys = {
  all: ['accounts'] as const,
  list: (search: string) => ['accounts', 'list', search] as const,
  detail: (id: string) => ['accounts', 'detail', id] as const,
  access: (id: string) => ['accounts', 'detail', id, 'access'] as const,
};

export const itemRoleLabel: Record<ItemRole, string> = {
  owner: 'Owner',
  manager: 'Manager',
  collaborator: 'Collaborator',
};

export const itemRoleColor: Record<ItemRole, string> = {
  owner: 'indigo',
  manager: 'grape',
  collaborator: 'teal',
};

/** The first letter of the host workspace's name, shown on a guest's cards. */
export function workspaceInitial(name: string): string {
  return (name.trim().charAt(0) || '?').toUpperCase();
}
