import { z } from 'zod';
import { SLUG_PATTERN } from '../domain/slug.js';
import { MAX_PASSWORD_LENGTH } from '../domain/password-policy.js';

/** Shared request and response shapes. One definition serves validation, types and OpenAPI. */
export const Email = z
  .email({ error: 'Enter a valid email address.' })
  .max(254, { error: 'Email addresses have at most 254 characters.' })
  .transform((value) => value.trim());

export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(SLUG_PATTERN, { error: 'Use 1–63 lowercase letters, digits and dashes, not starting or ending with a dash.' });

export const DisplayName = z
  .string()
  .trim()
  .min(1, { error: 'Enter a name.' })
  .max(100, { error: 'Use at most 100 characters.' });

export const Password = z
  .string()
  .min(1, { error: 'Enter a password.' })
  .max(MAX_PASSWORD_LENGTH, { error: `Use at most ${MAX_PASSWORD_LENGTH} characters.` });

export const WorkspaceView = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  mode: z.enum(['local', 'idp']),
});

export const UserView = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'guest']),
  status: z.enum(['invited', 'active', 'deactivated']),
  createdAt: z.string(),
});

export const Me = z.object({ user: UserView, workspace: WorkspaceView });

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Standard error responses, listed in OpenAPI for every route that can produce them. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ProblemSchema])) as Record<number, typeof ProblemSchema>;
