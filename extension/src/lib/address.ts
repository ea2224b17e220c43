/**
 * The Gatehouse address the person types into the popup, made into the server's origin. Accepts what
 * people paste: a bare host name (https is assumed) or any page of Gatehouse (the path is dropped). Plain
 * http only for this computer (localhost, 127.0.0.1, ::1), where a developer runs the server: anywhere
 * else the session and the passwords would cross the network in clear.
 */
export type AddressResult = { ok: true; origin: string } | { ok: false; error: string };

const EXAMPLE = 'for example https://gatehouse.example.com';

export function parseGatehouseAddress(typed: string): AddressResult {
  const value = typed.trim();
  if (value === '') return { ok: false, error: `Enter your Gatehouse address, ${EXAMPLE}.` };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    return { ok: false, error: `That is not a web address. Enter your Gatehouse address, ${EXAMPLE}.` };
  }
  if (url.username || url.password) {
    return { ok: false, error: 'Enter the address without a user name or password in it.' };
  }
  if (url.protocol === 'https:') return { ok: true, origin: url.origin };
  if (url.protocol === 'http:' && isThisComputer(url.hostname)) return { ok: true, origin: url.origin };
  if (url.protocol === 'http:') {
    return { ok: false, error: 'Use an https:// address: plain http is only accepted for localhost.' };
  }
  return { ok: false, error: `Enter an https:// address, ${EXAMPLE}.` };
}

function isThisComputer(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
