/** Workspace slugs: lowercase letters, digits and dashes, 1–63 characters, no dash at either end. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Slugs that would collide with the app's own paths. */
export const RESERVED_SLUGS = new Set(['api', 'app', 'login', 'setup', 'w', 'healthz', 'readyz', 'assets', 'admin']);

export function normalizeSlug(text: string): string {
  return text.trim().toLowerCase();
}
