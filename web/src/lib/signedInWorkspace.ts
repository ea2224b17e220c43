/**
 * The workspace this tab was last signed in to. When its session ends under it (signed out elsewhere,
 * timed out, access removed), the app goes back to that workspace's sign-in page and says the session
 * ended, rather than to "Let's find your workspace" with no word of why.
 */
const KEY = 'gatehouse.signedInWorkspace';

export function rememberSignedInWorkspace(slug: string): void {
  if (sessionStorage.getItem(KEY) !== slug) sessionStorage.setItem(KEY, slug);
}

export function forgetSignedInWorkspace(): void {
  sessionStorage.removeItem(KEY);
}

export function signedInWorkspace(): string | null {
  return sessionStorage.getItem(KEY);
}

/** The sign-in page's query that says the session ended. */
export const SESSION_ENDED_QUERY = 'ended=session';
