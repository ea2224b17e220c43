// The web app's one client for the Gatehouse JSON API (/api/v1): openapi-fetch, typed by the paths in
// ./schema.d.ts, which scripts/generate-api-types.ts generates from the server's OpenAPI document. No type
// here is written by hand: each one is read off a route's request or response, so a change to a route's
// schema on the server shows up here (and fails `npm run typecheck` where the web app relies on it).
// Every state-changing call carries the CSRF token from GET /api/v1/auth/csrf.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export type { paths } from './schema';

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>;
type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Responses<P extends keyof paths, M extends HttpMethod> =
  Operation<P, M> extends { responses: infer R } ? R : never;

/** The JSON body of a route's success response (200 or 201). */
export type ResponseBody<P extends keyof paths, M extends HttpMethod> = {
  [Status in keyof Responses<P, M>]: Status extends 200 | 201 ? JsonContent<Responses<P, M>[Status]> : never;
}[keyof Responses<P, M>];

/** The JSON body a route accepts. */
export type RequestBody<P extends keyof paths, M extends HttpMethod> = JsonContent<
  NonNullable<Operation<P, M> extends { requestBody?: infer B } ? B : never>
>;

export type Me = ResponseBody<'/api/v1/auth/session', 'get'>;
export type Role = Me['user']['role'];
export type WorkspaceMode = Me['workspace']['mode'];
export type DeviceStatus = ResponseBody<'/api/v1/devices', 'get'>['devices'][number]['status'];

export type PublicWorkspace = ResponseBody<'/api/v1/workspaces/{slug}', 'get'>;
/** What an invitation link (/w/:slug?invitation=TOKEN) tells the person who opens it. */
export type InvitationLookup = ResponseBody<'/api/v1/invitations/by-token/{token}', 'get'>;
export type InvitationState = InvitationLookup['state'];
/** What a Confirm email address link (/email/confirm?token=TOKEN) tells the person who opens it. */
export type EmailChangeLookup = ResponseBody<'/api/v1/email-changes/{token}', 'get'>;
export type EmailChangeState = EmailChangeLookup['state'];

export type Member = ResponseBody<'/api/v1/members', 'get'>['members'][number];
export type MemberStatus = Member['status'];

export type SetupInput = RequestBody<'/api/v1/setup', 'post'>;
export type SignInInput = RequestBody<'/api/v1/auth/sign-in', 'post'>;
export type NewMemberInput = RequestBody<'/api/v1/members', 'post'>;
export type MemberRole = NewMemberInput['role'];
/** What a Join workspace link (/w/:slug/join?token=…) tells the person who opens it. */
export type MemberInvitationLookup = ResponseBody<'/api/v1/member-invitations/{token}', 'get'>;
export type JoinWorkspaceInput = RequestBody<'/api/v1/member-invitations/join', 'post'>;
/** What deactivating a member would leave without an owner or host. */
export type Handover = ResponseBody<'/api/v1/members/{userId}/deactivation', 'get'>;
export type ChangePasswordInput = RequestBody<'/api/v1/auth/change-password', 'post'>;

export type PasswordPolicy = ResponseBody<'/api/v1/auth/password-policy', 'get'>;
export type PasswordRuleId = PasswordPolicy['rules'][number]['id'];
/** What a reset link (/w/:slug/reset-password?token=…) leads to: its state, workspace and password policy. */
export type ResetLinkLookup = ResponseBody<'/api/v1/auth/reset-password/{token}', 'get'>;
export type ResetPasswordInput = RequestBody<'/api/v1/auth/reset-password', 'post'>;

export type Terms = ResponseBody<'/api/v1/terms', 'post'>;
export type CurrentTerms = ResponseBody<'/api/v1/terms/current', 'get'>;
export type TermsVersion = ResponseBody<'/api/v1/terms', 'get'>['versions'][number];

export type PartnerSummary = ResponseBody<'/api/v1/partners', 'get'>['partners'][number];
export type PartnerDetail = ResponseBody<'/api/v1/partners/{partnerId}', 'get'>;
export type GuestInvitationResult = ResponseBody<'/api/v1/partners/{partnerId}/guests', 'post'>['results'][number];
export type PartnerPermissions = PartnerDetail['permissions'];
export type PartnerMember = PartnerDetail['members'][number];
export type PartnerRole = PartnerMember['partnerRole'];
export type GuestRole = Exclude<PartnerRole, 'host_admin'>;
export type PartnerInvitation = NonNullable<PartnerMember['invitation']>;
export type InvitationDelivery = NonNullable<PartnerInvitation['delivery']>;
export type DeliveryState = InvitationDelivery['state'];
export type NewPartnerInput = RequestBody<'/api/v1/partners', 'post'>;
type PartnerMemberAsDocumented = ResponseBody<'/api/v1/partners/{partnerId}/members/{userId}', 'get'>;
/**
 * The server documents this route's `partnerRole` and `status` as plain strings; they are the values of
 * the partner's member list, so they are narrowed to those here (see getPartnerMember below).
 */
export type PartnerMemberDetail = Omit<PartnerMemberAsDocumented, 'partnerRole' | 'status'> &
  Pick<PartnerMember, 'partnerRole' | 'status'>;

/** One field problem, as sent in a problem+json `errors` array. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** RFC 9457 problem details; `detail` is absent from the ones this client makes up (network errors). */
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

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'title' in value && 'status' in value;
}

function toApiError(body: unknown, response: Response): ApiError {
  if (isProblem(body)) {
    return new ApiError({ ...body, type: typeof body.type === 'string' ? body.type : 'about:blank' });
  }
  return new ApiError({
    type: 'about:blank',
    title: response.statusText || 'Something went wrong',
    status: response.status,
    detail: response.status >= 500 ? 'Gatehouse had a problem. Please try again.' : undefined,
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

let csrfToken: Promise<string> | null = null;

/** Forget the cached CSRF token (for example after signing in or out). */
export function resetCsrfToken(): void {
  csrfToken = null;
}

function getCsrfToken(): Promise<string> {
  csrfToken ??= call(() => client.GET('/api/v1/auth/csrf')).then(
    (body) => body.token,
    (error: unknown) => {
      csrfToken = null;
      throw error;
    },
  );
  return csrfToken;
}

/** Adds the CSRF token to every state-changing request. */
const csrfMiddleware: Middleware = {
  async onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return undefined;
    request.headers.set('x-csrf-token', await getCsrfToken());
    return request;
  },
};

/** The one client. Same origin, so the session cookie goes along; paths are the OpenAPI document's. */
export const client = createClient<paths>({
  credentials: 'same-origin',
  headers: { accept: 'application/json' },
  // Looked up per call rather than captured once, so whatever `fetch` the page has at the time is used.
  fetch: (request) => globalThis.fetch(request),
});
client.use(csrfMiddleware);

interface Outcome<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

async function settle<Data>(send: () => Promise<Outcome<Data>>): Promise<Data> {
  let outcome: Outcome<Data>;
  try {
    outcome = await send();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError({
      type: 'about:blank#network',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach Gatehouse. Check your connection and try again.',
    });
  }
  if (!outcome.response.ok) throw toApiError(outcome.error, outcome.response);
  return outcome.data as Data;
}

/**
 * Runs one call of `client` and returns its success body, or throws an ApiError carrying the problem.
 * A state-changing call refused for its CSRF token (expired, or the session changed) is sent once more
 * with a fresh token.
 */
export async function call<Data>(send: () => Promise<Outcome<Data>>): Promise<Data> {
  try {
    return await settle(send);
  } catch (error) {
    if (!(error instanceof ApiError && error.isCsrf)) throw error;
    resetCsrfToken();
    return settle(send);
  }
}

export const api = {
  getSetup: () => call(() => client.GET('/api/v1/setup')),
  setup: (input: SetupInput) => call(() => client.POST('/api/v1/setup', { body: input })),

  getWorkspace: (slug: string) => call(() => client.GET('/api/v1/workspaces/{slug}', { params: { path: { slug } } })),
  getInvitationByToken: (token: string) =>
    call(() => client.GET('/api/v1/invitations/by-token/{token}', { params: { path: { token } } })),

  /** The current session, or null when nobody is signed in. */
  getSession: async (): Promise<Me | null> => {
    try {
      return await call(() => client.GET('/api/v1/auth/session'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  signIn: (input: SignInInput) => call(() => client.POST('/api/v1/auth/sign-in', { body: input })),
  signOut: () => call(() => client.POST('/api/v1/auth/sign-out')),

  listMembers: () => call(() => client.GET('/api/v1/members')),
  inviteMember: (input: NewMemberInput) => call(() => client.POST('/api/v1/members', { body: input })),
  resendMemberInvitation: (userId: string) =>
    call(() => client.POST('/api/v1/members/{userId}/resend-invitation', { params: { path: { userId } } })),
  revokeMemberInvitation: (userId: string) =>
    call(() => client.POST('/api/v1/members/{userId}/revoke-invitation', { params: { path: { userId } } })),
  changeMemberRole: (userId: string, role: MemberRole) =>
    call(() => client.PUT('/api/v1/members/{userId}/role', { params: { path: { userId } }, body: { role } })),
  previewDeactivation: (userId: string) =>
    call(() => client.GET('/api/v1/members/{userId}/deactivation', { params: { path: { userId } } })),
  deactivateMember: (userId: string, transferTo?: string) =>
    call(() =>
      client.POST('/api/v1/members/{userId}/deactivate', {
        params: { path: { userId } },
        body: transferTo ? { transferTo } : {},
      }),
    ),
  reactivateMember: (userId: string) =>
    call(() => client.POST('/api/v1/members/{userId}/reactivate', { params: { path: { userId } } })),
  lookupMemberInvitation: (token: string) =>
    call(() => client.GET('/api/v1/member-invitations/{token}', { params: { path: { token } } })),
  joinWorkspace: (input: JoinWorkspaceInput) =>
    call(() => client.POST('/api/v1/member-invitations/join', { body: input })),

  getPasswordPolicy: () => call(() => client.GET('/api/v1/auth/password-policy')),
  changePassword: (input: ChangePasswordInput) =>
    call(() => client.POST('/api/v1/auth/change-password', { body: input })),
  /** **Send reset link**: the same answer whether or not the address has an account. */
  forgotPassword: (workspace: string, email: string) =>
    call(() => client.POST('/api/v1/auth/forgot-password', { body: { workspace, email } })),
  lookupResetLink: (token: string) =>
    call(() => client.GET('/api/v1/auth/reset-password/{token}', { params: { path: { token } } })),
  resetPassword: (input: ResetPasswordInput) => call(() => client.POST('/api/v1/auth/reset-password', { body: input })),

  getCurrentTerms: () => call(() => client.GET('/api/v1/terms/current')),
  acceptTerms: (version: number) => call(() => client.POST('/api/v1/terms/accept', { body: { version } })),
  listTermsVersions: () => call(() => client.GET('/api/v1/terms')),
  publishTerms: (body: string) => call(() => client.POST('/api/v1/terms', { body: { body } })),

  listPartners: () => call(() => client.GET('/api/v1/partners')),
  addPartner: (input: NewPartnerInput) => call(() => client.POST('/api/v1/partners', { body: input })),
  getPartner: (partnerId: string) =>
    call(() => client.GET('/api/v1/partners/{partnerId}', { params: { path: { partnerId } } })),
  renamePartner: (partnerId: string, name: string) =>
    call(() => client.PATCH('/api/v1/partners/{partnerId}', { params: { path: { partnerId } }, body: { name } })),
  removePartner: (partnerId: string) =>
    call(() => client.DELETE('/api/v1/partners/{partnerId}', { params: { path: { partnerId } } })),
  assignHostAdmin: (partnerId: string, userId: string) =>
    call(() =>
      client.POST('/api/v1/partners/{partnerId}/host-admins', { params: { path: { partnerId } }, body: { userId } }),
    ),
  removeHostAdmin: (partnerId: string, userId: string) =>
    call(() =>
      client.DELETE('/api/v1/partners/{partnerId}/host-admins/{userId}', { params: { path: { partnerId, userId } } }),
    ),
  /** Invite guest users with several addresses at once: one result per address, in the order given. */
  inviteGuests: (
    partnerId: string,
    emails: string[],
    accessEndsAt: string | null = null,
  ): Promise<GuestInvitationResult[]> =>
    call(() =>
      client.POST('/api/v1/partners/{partnerId}/guests', {
        params: { path: { partnerId } },
        body: { emails, ...(accessEndsAt && { accessEndsAt }) },
      }),
    ).then((answer) => answer.results),
  /** **Guest access ends on** (host admins): a moment, or null for no end. */
  setGuestAccessEnd: (partnerId: string, userId: string, accessEndsAt: string | null) =>
    call(() =>
      client.PUT('/api/v1/partners/{partnerId}/guests/{userId}/access-end', {
        params: { path: { partnerId, userId } },
        body: { accessEndsAt },
      }),
    ),
  changeGuestRole: (partnerId: string, userId: string, role: GuestRole) =>
    call(() =>
      client.PATCH('/api/v1/partners/{partnerId}/guests/{userId}', {
        params: { path: { partnerId, userId } },
        body: { role },
      }),
    ),
  removeGuest: (partnerId: string, userId: string) =>
    call(() =>
      client.DELETE('/api/v1/partners/{partnerId}/guests/{userId}', { params: { path: { partnerId, userId } } }),
    ),
  getPartnerMember: (partnerId: string, userId: string): Promise<PartnerMemberDetail> =>
    call(() =>
      client.GET('/api/v1/partners/{partnerId}/members/{userId}', { params: { path: { partnerId, userId } } }),
    ) as Promise<PartnerMemberDetail>,
  /** **Reset password** for a guest: a new temporary password goes to them by email, never to the caller. */
  resetGuestPassword: (partnerId: string, userId: string) =>
    call(() =>
      client.POST('/api/v1/partners/{partnerId}/members/{userId}/reset-password', {
        params: { path: { partnerId, userId } },
      }),
    ),

  resendInvitation: (invitationId: string) =>
    call(() => client.POST('/api/v1/invitations/{invitationId}/resend', { params: { path: { invitationId } } })),
  revokeInvitation: (invitationId: string) =>
    call(() => client.POST('/api/v1/invitations/{invitationId}/revoke', { params: { path: { invitationId } } })),

  /** Change email (SPEC §2a): a link to the new address; nothing changes until it is confirmed. */
  changeMemberEmail: (userId: string, email: string) =>
    call(() => client.POST('/api/v1/members/{userId}/email', { params: { path: { userId } }, body: { email } })),
  getEmailChange: (token: string) =>
    call(() => client.GET('/api/v1/email-changes/{token}', { params: { path: { token } } })),
  confirmEmailChange: (token: string) => call(() => client.POST('/api/v1/email-changes/confirm', { body: { token } })),
  /** Transfer workspace ownership (owner only, identity confirmed) to an active admin. */
  transferOwnership: (userId: string) =>
    call(() => client.POST('/api/v1/workspace/transfer-ownership', { body: { userId } })),
};
