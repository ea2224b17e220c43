/** A mistake in how a command was called; printed with the usage. */
export class UsageError extends Error {}
