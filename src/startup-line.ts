/**
 * The one line `gatehouse serve` prints for a person when its output is a terminal (the JSON logs go on
 * as well): the address to open, where mail goes in development, and when GATEHOUSE_PUBLIC_URL needs
 * setting. Sessions are cookies of the address people open, and links in mail use the public URL: opening
 * the listening address instead (127.0.0.1 when mail says localhost) gives a second, separate sign-in.
 */
export interface StartupFacts {
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  listeningUrl: string;
  /** GATEHOUSE_PUBLIC_URL, or its default http://localhost:$PORT. */
  publicUrl: URL;
  /** True when GATEHOUSE_PUBLIC_URL was left to its default. */
  publicUrlIsDefault: boolean;
  /** True when mail stays in the development outbox (no GATEHOUSE_SMTP_URL). */
  devOutbox: boolean;
}

export function startupLine({ listeningUrl, publicUrl, publicUrlIsDefault, devOutbox }: StartupFacts): string {
  const open = publicUrl.toString();
  const parts = [`Gatehouse is ready: open ${open}`];
  if (new URL(listeningUrl).host !== publicUrl.host) parts.push(`(listening on ${listeningUrl})`);
  let line = parts.join(' ');
  if (devOutbox) line += `. Mail stays in the development outbox: ${new URL('app/dev/outbox', publicUrl).toString()}`;
  if (publicUrlIsDefault) {
    line += `. Links in mail use ${open}: set GATEHOUSE_PUBLIC_URL to the address people reach this server at, if it is another (another machine, a proxy, https)`;
  }
  return `${line}.`;
}
