// Placeholder while passkeys are being built (issue 4); replaced in the same session.
export function PasskeysSection() {
  return null;
}
