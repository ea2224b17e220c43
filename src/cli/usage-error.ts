/** A mistake in how a command was called; printed with the usage. */
export class UsageError extends Error {}

/** Runs `node:util` parseArgs, turning its unknown-option and missing-value errors into a UsageError. */
export function parseCommandArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
