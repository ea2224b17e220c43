/** Turns a display name into a workspace URL name: lowercase letters, digits and dashes. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * What the user typed on "Let's find your workspace": a slug or a display name.
 * A valid slug is sent as is (lowercased, trimmed); anything else is turned into one.
 */
export function workspaceSlugFromInput(input: string): string {
  const value = input.trim().toLowerCase();
  return /^[a-z0-9-]+$/.test(value) ? value : slugify(value);
}
