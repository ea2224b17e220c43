import { ApiError, type FieldProblem } from '../api';

/**
 * Strips "body." or a leading "/" and returns the path's candidates: the whole path, its last part,
 * then its first (so "hostAdminIds.0" still finds the hostAdminIds field).
 */
function pathCandidates(path: string): string[] {
  const cleaned = path.replace(/^\/+/, '').replace(/^body[./]/, '');
  const parts = cleaned.split(/[./]/).filter(Boolean);
  return [...new Set([cleaned, parts[parts.length - 1], parts[0]])].filter((p): p is string => Boolean(p));
}

export interface SplitProblems {
  /** Messages keyed by form field name, ready for form.setErrors(). */
  fieldErrors: Record<string, string>;
  /** Field problems that match no field on the form. */
  other: FieldProblem[];
}

/**
 * Maps a problem's `errors[].path` to form fields. `fields` maps an API path
 * (for example "displayName") to the form's field name; a plain list means the same names.
 */
export function splitFieldProblems(
  error: unknown,
  fields: readonly string[] | Readonly<Record<string, string>>,
): SplitProblems {
  const result: SplitProblems = { fieldErrors: {}, other: [] };
  if (!(error instanceof ApiError)) return result;
  const map: Record<string, string> = Array.isArray(fields)
    ? Object.fromEntries(fields.map((f) => [f, f]))
    : { ...(fields as Record<string, string>) };

  for (const problem of error.problem.errors ?? []) {
    const field = pathCandidates(problem.path)
      .map((p) => map[p])
      .find((f): f is string => f !== undefined);
    if (field && !result.fieldErrors[field]) result.fieldErrors[field] = problem.message;
    else if (!field) result.other.push(problem);
  }
  return result;
}

/**
 * Every message the problem gives for one field: the server may name several password rules at once, and
 * a form shows them all under the field, not only the first (which is what splitFieldProblems keeps).
 */
export function fieldMessages(error: unknown, path: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? [])
    .filter((p) => p.path.replace(/^\/+/, '').replace(/^body[./]/, '') === path)
    .map((p) => p.message);
}

/** The text to show for any error: the problem's detail, else its title. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
