import { createHash } from 'node:crypto';

/**
 * The one inline script of the web app's pages (web/index.html, and so the pre-rendered sign-in page): it
 * sets the colour scheme the system prefers on <html> before the first paint, as Mantine's
 * ColorSchemeScript would, so a page rendered ahead (the sign-in form) is not painted light and then
 * turned dark when the scripts start. Mantine keeps it in step afterwards (defaultColorScheme="auto").
 * The Content-Security-Policy allows it by its hash, and nothing else inline.
 */
export const COLOR_SCHEME_SCRIPT =
  "document.documentElement.setAttribute('data-mantine-color-scheme',matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light')";

/** The script-src source that allows COLOR_SCHEME_SCRIPT, and only it, to run inline. */
export const COLOR_SCHEME_SCRIPT_SOURCE = `'sha256-${createHash('sha256').update(COLOR_SCHEME_SCRIPT).digest('base64')}'`;
