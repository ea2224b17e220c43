import { call, client, type RequestBody, type ResponseBody } from '../api';

/** The accounts vault (SPEC §1, §7) as the web app sees it: never a password unless an owner reveals it. */

/** One card of GET /accounts. */
export type AccountSummary = ResponseBody<'/api/v1/accounts', 'get'>['accounts'][number];
export type ItemRole = AccountSummary['role'];
export type GuestItemRole = Exclude<ItemRole, 'owner'>;
export type MemberItemRole = Exclude<ItemRole, 'manager'>;

export type AccountDetail = ResponseBody<'/api/v1/accounts/{accountId}', 'get'>;
/** What the server lets the web app offer; it checks each action again when it happens. */
export type AccountPermissions = AccountDetail['permissions'];

/** The fields of **Add account** and **Edit**; null clears a field, a missing one stays as it is. */
export type AccountInput = RequestBody<'/api/v1/accounts/{accountId}', 'patch'>;
export type NewAccountInput = RequestBody<'/api/v1/accounts', 'post'>;

/** One line of the **Users** tab (GET /accounts/:id/access). */
export type AccessEntry = ResponseBody<'/api/v1/accounts/{accountId}/access', 'get'>['entries'][number];

export type TotpCode = ResponseBody<'/api/v1/accounts/{accountId}/totp-code', 'post'>;

export type SecretField = RequestBody<'/api/v1/accounts/{accountId}/reveal', 'post'>['field'];

const account = (accountId: string) => ({ params: { path: { accountId } } });

export const accountsApi = {
  list: (search: string) => call(() => client.GET('/api/v1/accounts', { params: { query: search ? { search } : {} } })),
  create: (input: NewAccountInput) => call(() => client.POST('/api/v1/accounts', { body: input })),
  get: (id: string) => call(() => client.GET('/api/v1/accounts/{accountId}', account(id))),
  update: (id: string, input: AccountInput) =>
    call(() => client.PATCH('/api/v1/accounts/{accountId}', { ...account(id), body: input })),
  remove: (id: string) => call(() => client.DELETE('/api/v1/accounts/{accountId}', account(id))),
  totpCode: (id: string) => call(() => client.POST('/api/v1/accounts/{accountId}/totp-code', account(id))),
  reveal: (id: string, field: SecretField) =>
    call(() => client.POST('/api/v1/accounts/{accountId}/reveal', { ...account(id), body: { field } })),
  access: (id: string) => call(() => client.GET('/api/v1/accounts/{accountId}/access', account(id))),
  /** The account's **Activity** tab: a page of events in sentences, older ones from `cursor` on. */
  activity: (id: string, cursor: string | undefined) =>
    call(() =>
      client.GET('/api/v1/accounts/{accountId}/activity', {
        params: { path: { accountId: id }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  shareWithMember: (id: string, userId: string, role: MemberItemRole, accessUntil: string | null = null) =>
    call(() =>
      client.POST('/api/v1/accounts/{accountId}/members', { ...account(id), body: { userId, role, accessUntil } }),
    ),
  shareOnward: (id: string, userId: string, accessUntil: string | null = null) =>
    call(() =>
      client.POST('/api/v1/accounts/{accountId}/onward-shares', { ...account(id), body: { userId, accessUntil } }),
    ),
  changeGuestRole: (id: string, userId: string, role: GuestItemRole) =>
    call(() =>
      client.PUT('/api/v1/accounts/{accountId}/guests/{userId}/role', {
        params: { path: { accountId: id, userId } },
        body: { role },
      }),
    ),
  removeAccess: (id: string, userId: string) =>
    call(() =>
      client.DELETE('/api/v1/accounts/{accountId}/access/{userId}', { params: { path: { accountId: id, userId } } }),
    ),
};

export const accountKeys = {
  all: ['accounts'] as const,
  list: (search: string) => ['accounts', 'list', search] as const,
  detail: (id: string) => ['accounts', 'detail', id] as const,
  access: (id: string) => ['accounts', 'detail', id, 'access'] as const,
  activity: (id: string) => ['accounts', 'detail', id, 'activity'] as const,
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
