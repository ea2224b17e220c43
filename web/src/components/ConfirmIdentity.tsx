// Placeholder while **Confirm your identity** is being built (issue 4); replaced in the same session.

/**
 * Runs a sensitive action; when the server answers identity-confirmation-required, asks the user to
 * confirm their identity with a second factor and retries the action once.
 */
export function useIdentityConfirmation(): <T>(action: () => Promise<T>) => Promise<T> {
  return (action) => action();
}
