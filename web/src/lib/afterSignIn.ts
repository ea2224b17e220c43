/**
 * Where to go once signed in, when a signed-out person opened a page of the app (for example the
 * /app/connect link a client app opened). Kept for this tab only, and only for paths inside the app.
 */
const KEY = 'gatehouse.afterSignIn';

export function rememberPageForAfterSignIn(pathAndQuery: string): void {
  if (isAppPath(pathAndQuery) && pathAndQuery !== '/app') sessionStorage.setItem(KEY, pathAndQuery);
}

/** The remembered page (then forgotten), or /app. */
export function takePageAfterSignIn(): string {
  const path = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  return path && isAppPath(path) ? path : '/app';
}

function isAppPath(path: string): boolean {
  return /^\/app(?:[/?]|$)/.test(path) && !path.startsWith('//');
}
