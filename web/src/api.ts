// A small fetch client for the Gatehouse JSON API (/api/v1).
// Every state-changing call carries the CSRF token from GET /api/v1/auth/csrf.

export type Role = 'owner' | 'admin' | 'member' | 'guest';
export type WorkspaceMode = 'local' | 'idp';
export type MemberStatus = 'invited' | 'active' | 'deactivated';

export interface Me {
  user: { id: string; email: string; displayName: string; role: Role };
  workspace: { id: string; slug: string; name: string; mode: WorkspaceMode };
}

export interface PublicWorkspace {
  slug: string;
  name: string;
  mode: WorkspaceMode;
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
};
