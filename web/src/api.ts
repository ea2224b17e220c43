// A small fetch client for the Gatehouse JSON API (/api/v1).
// Every state-changing call carries the CSRF token from GET /api/v1/auth/csrf.

export type Role = 'owner' | 'admin' | 'member' | 'guest';
export type WorkspaceMode = 'local' | 'idp';
export type MemberStatus = 'invited' | 'active' | 'deactivated';

export interface Me {
  user: { id: string; email: string; displayName: string; role: Role };
  workspace: { id: string; slug: string; name: string; mode: WorkspaceMode };
  /** First-sign-in steps still due; the server refuses every other call until they are done. */
  pending: { secondFactor: boolean; passwordChange: boolean; terms: boolean };
  /** What this session has proved (SPEC §5, §6); the server enforces the same rules. */
  assurance: {
    mfaRequired: boolean;
    mfaEnabled: boolean;
    identityConfirmedUntil: string | null;
    device: { id: string; name: string; status: DeviceStatus; approvedUntil: string | null } | null;
    trusted: boolean;
  };
}

export type DeviceStatus = 'pending_verification' | 'pending_approval' | 'approved' | 'denied' | 'removed';

export interface PublicWorkspace {
  slug: string;
  name: string;
  mode: WorkspaceMode;
  /** idp mode: seconds the waiting page counts down before sending members to the IdP; null in local mode. */
  redirectSeconds: number | null;
}

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

/** What an invitation link (/w/:slug?invitation=TOKEN) tells the person who opens it. */
export interface InvitationLookup {
  state: InvitationState;
  workspace: { slug: string; name: string };
  username: string;
  partnerName: string;
  invitedBy: string | null;
  expiresAt: string;
  resendBy: string[];
}

export interface Member {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: MemberStatus;
  createdAt: string;
}

export interface ActivityEvent {
  id: string;
  occurredAt: string;
  action: string;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

export interface SetupInput {
  workspaceName: string;
  slug: string;
  displayName: string;
  email: string;
  password: string;
}

export interface SignInInput {
  workspace: string;
  username: string;
  password: string;
}

export interface NewMemberInput {
  email: string;
  displayName: string;
  role: 'admin' | 'member';
  password: string;
}

export type PasswordRuleId = 'min-length' | 'not-identity' | 'not-temporary' | 'not-common';

export interface PasswordPolicy {
  minLength: number;
  rules: { id: PasswordRuleId; label: string }[];
}

export interface ChangePasswordInput {
  newPassword: string;
  newPasswordAgain: string;
  givenName: string;
  familyName: string;
}

export interface Terms {
  version: number;
  body: string;
  bodySha256: string;
  publishedAt: string;
}

export interface CurrentTerms extends Terms {
  accepted: boolean;
}

export interface TermsVersion extends Terms {
  acceptances: number;
}

export type PartnerRole = 'host_admin' | 'guest_admin' | 'guest_user';
export type GuestRole = Exclude<PartnerRole, 'host_admin'>;

export interface PartnerSummary {
  id: string;
  name: string;
  /** Null for a workspace owner or admin who is not part of the partner. */
  myRole: PartnerRole | null;
  hostAdmins: string[];
  guestCount: number;
  createdAt: string;
}

export interface PartnerPermissions {
  rename: boolean;
  manageHostAdmins: boolean;
  inviteGuests: boolean;
  changeGuestRoles: boolean;
  removeGuestAdmins: boolean;
  removeGuestUsers: boolean;
  remove: boolean;
}

export type DeliveryState = 'queued' | 'sent' | 'retrying' | 'failed' | 'cancelled';

export interface InvitationDelivery {
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

export interface PartnerInvitation {
  id: string;
  state: InvitationState;
  expiresAt: string;
  timesSent: number;
  delivery: InvitationDelivery | null;
}

export interface PartnerMember {
  userId: string;
  email: string;
  displayName: string;
  partnerRole: PartnerRole;
  status: MemberStatus;
  joinedAt: string | null;
  invitation: PartnerInvitation | null;
}

export interface PartnerDetail {
  id: string;
  name: string;
  myRole: PartnerRole | null;
  permissions: PartnerPermissions;
  members: PartnerMember[];
  createdAt: string;
}

export interface NewPartnerInput {
  name: string;
  guestAdminEmail: string;
  hostAdminIds: string[];
}

export interface PartnerMemberDetail {
  userId: string;
  email: string;
  displayName: string;
  partnerRole: PartnerRole;
  status: MemberStatus;
}

/** One field problem, as sent in a problem+json `errors` array. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  get isCsrf(): boolean {
    return this.status === 403 && this.problem.type.endsWith('/csrf');
  }
}

const BASE = '/api/v1';
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

let csrfToken: Promise<string> | null = null;

/** Forget the cached CSRF token (for example after signing in or out). */
export function resetCsrfToken(): void {
  csrfToken = null;
}

function getCsrfToken(): Promise<string> {
  if (!csrfToken) {
    csrfToken = send<{ token: string }>('GET', '/auth/csrf').then(
      (res) => res.token,
      (err: unknown) => {
        csrfToken = null;
        throw err;
      },
    );
  }
  return csrfToken;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'title' in value && 'status' in value;
}

async function toApiError(res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  if (isProblem(body)) {
    return new ApiError({ ...body, type: typeof body.type === 'string' ? body.type : 'about:blank' });
  }
  return new ApiError({
    type: 'about:blank',
    title: res.statusText || 'Something went wrong',
    status: res.status,
    detail: res.status >= 500 ? 'Gatehouse had a problem. Please try again.' : undefined,
  });
}

async function send<T>(method: Method, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['x-csrf-token'] = token;

  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({
      type: 'about:blank#network',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach Gatehouse. Check your connection and try again.',
    });
  }

  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Calls the API; state-changing calls get a CSRF token and one retry with a fresh token. */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  if (method === 'GET') return send<T>(method, path);
  try {
    return await send<T>(method, path, body, await getCsrfToken());
  } catch (err) {
    if (!(err instanceof ApiError && err.isCsrf)) throw err;
    resetCsrfToken();
    return send<T>(method, path, body, await getCsrfToken());
  }
}

const seg = encodeURIComponent;

export const api = {
  getSetup: () => request<{ needsSetup: boolean }>('GET', '/setup'),
  setup: (input: SetupInput) => request<Me>('POST', '/setup', input),

  getWorkspace: (slug: string) => request<PublicWorkspace>('GET', `/workspaces/${seg(slug)}`),
  getInvitationByToken: (token: string) => request<InvitationLookup>('GET', `/invitations/by-token/${seg(token)}`),

  /** The current session, or null when nobody is signed in. */
  getSession: async (): Promise<Me | null> => {
    try {
      return await request<Me>('GET', '/auth/session');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  signIn: (input: SignInInput) => request<Me>('POST', '/auth/sign-in', input),
  signOut: () => request<void>('POST', '/auth/sign-out'),

  listMembers: () => request<{ members: Member[] }>('GET', '/members'),
  addMember: (input: NewMemberInput) => request<Member>('POST', '/members', input),

  listActivity: () => request<{ events: ActivityEvent[] }>('GET', '/activity'),

  getPasswordPolicy: () => request<PasswordPolicy>('GET', '/auth/password-policy'),
  changePassword: (input: ChangePasswordInput) => request<Me>('POST', '/auth/change-password', input),

  getCurrentTerms: () => request<CurrentTerms>('GET', '/terms/current'),
  acceptTerms: (version: number) => request<void>('POST', '/terms/accept', { version }),
  listTermsVersions: () => request<{ versions: TermsVersion[] }>('GET', '/terms'),
  publishTerms: (body: string) => request<Terms>('POST', '/terms', { body }),

  listPartners: () => request<{ partners: PartnerSummary[] }>('GET', '/partners'),
  addPartner: (input: NewPartnerInput) => request<PartnerDetail>('POST', '/partners', input),
  getPartner: (id: string) => request<PartnerDetail>('GET', `/partners/${seg(id)}`),
  renamePartner: (id: string, name: string) => request<PartnerDetail>('PATCH', `/partners/${seg(id)}`, { name }),
  removePartner: (id: string) => request<void>('DELETE', `/partners/${seg(id)}`),
  assignHostAdmin: (id: string, userId: string) =>
    request<PartnerDetail>('POST', `/partners/${seg(id)}/host-admins`, { userId }),
  removeHostAdmin: (id: string, userId: string) =>
    request<PartnerDetail>('DELETE', `/partners/${seg(id)}/host-admins/${seg(userId)}`),
  inviteGuest: (id: string, email: string) => request<PartnerDetail>('POST', `/partners/${seg(id)}/guests`, { email }),
  changeGuestRole: (id: string, userId: string, role: GuestRole) =>
    request<PartnerDetail>('PATCH', `/partners/${seg(id)}/guests/${seg(userId)}`, { role }),
  removeGuest: (id: string, userId: string) => request<void>('DELETE', `/partners/${seg(id)}/guests/${seg(userId)}`),
  getPartnerMember: (id: string, userId: string) =>
    request<PartnerMemberDetail>('GET', `/partners/${seg(id)}/members/${seg(userId)}`),

  resendInvitation: (invitationId: string) => request<void>('POST', `/invitations/${seg(invitationId)}/resend`),
  revokeInvitation: (invitationId: string) => request<void>('POST', `/invitations/${seg(invitationId)}/revoke`),
};
