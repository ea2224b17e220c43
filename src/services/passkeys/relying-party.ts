/** The relying party the browser and authenticator bind every credential to: this server's public URL. */
export interface RelyingParty {
  /** The RP ID: the public URL's host name (WebAuthn refuses IP addresses). */
  id: string;
  /** The exact origin the browser must report in clientDataJSON. */
  origin: string;
  name: string;
}

export function relyingPartyFor(publicUrl: URL): RelyingParty {
  return { id: publicUrl.hostname, origin: publicUrl.origin, name: 'Gatehouse' };
}
