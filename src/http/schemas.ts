import { z } from 'zod';
import { SLUG_PATTERN } from '../domain/slug.js';
import { MAX_PASSWORD_LENGTH } from '../domain/password-policy.js';
import { describeUnsafeCharacter, findUnsafeCharacter } from '../domain/text.js';

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

/**
 * Text that is stored and shown: no control characters (PostgreSQL cannot store NUL at all) and no
 * unpaired UTF-16 surrogates (not valid Unicode, so not storable as UTF-8).
 */
export const PRINTABLE_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;

/** Multi-line text (terms): line breaks and tabs are fine, other control characters and NUL are not. */
export const MULTILINE_TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\n\r\t])*$/u;

/**
 * Refuses a character that changes how the text reads (src/domain/text.ts), naming it. Every field a
 * person names something with goes through this, so no name can reorder itself or break a mail line.
 */
export function readsAsWritten(label: string, options: { multiline?: boolean } = {}) {
  return (value: string, context: z.RefinementCtx) => {
    const found = findUnsafeCharacter(value, options);
    if (found) context.addIssue({ code: 'custom', message: describeUnsafeCharacter(label, found, options) });
  };
}

/**
 * A name (of a person, workspace, partner, device, passkey or account): one line that reads as written,
 * trimmed, at most `max` characters, and required unless `optional`.
 */
export function NameText(label: string, options: { max?: number; requiredMessage?: string; optional?: boolean } = {}) {
  const max = options.max ?? 100;
  const sized = z
    .string()
    .trim()
    .max(max, { error: `Use at most ${max} characters.` });
  return (options.optional ? sized : sized.min(1, { error: options.requiredMessage ?? 'Enter a name.' })).superRefine(
    readsAsWritten(label),
  );
}

export const DisplayName = NameText('Names');

export const Password = z
  .string()
  .min(1, { error: 'Enter a password.' })
  .max(MAX_PASSWORD_LENGTH, { error: `Use at most ${MAX_PASSWORD_LENGTH} characters.` });

/** When a share or a guest's access ends by itself (SPEC §8a); null or absent: no end. */
export const EndMoment = (what: string) =>
  z.iso
    .datetime({ offset: true, error: 'Enter a date and time (ISO 8601).' })
    .transform((text) => new Date(text))
    .nullable()
    .optional()
    .describe(
      `${what}: the moment access ends (ISO 8601, in the future). The web app sends the end of the chosen day ` +
        "in the person's time zone. Null or absent: no end.",
    );

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

export const Me = z.object({
  user: UserView,
  workspace: WorkspaceView,
  /** First-sign-in steps the server still requires (it refuses other calls until they are done). */
  pending: z.object({ secondFactor: z.boolean(), passwordChange: z.boolean(), terms: z.boolean() }),
  /** What this session has proved (SPEC §5, §6); the web app mirrors the server's rules with it. */
  assurance: z.object({
    mfaRequired: z.boolean(),
    /**
     * MFA must be turned on before anything else (an idp workspace's owner signed in with a password):
     * only turning MFA on, the session and signing out answer until then.
     */
    mfaEnrolmentRequired: z.boolean(),
    mfaEnabled: z.boolean(),
    /** Until when sensitive actions need no new identity confirmation; null when they need one now. */
    identityConfirmedUntil: z.string().nullable(),
    device: z
      .object({ id: z.string(), name: z.string(), status: z.string(), approvedUntil: z.string().nullable() })
      .nullable(),
    trusted: z.boolean(),
  }),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** Connecting a client app: the RFC 8628 error code (`authorization_pending`, `slow_down`, …). */
  error: z.string().optional(),
  /** Connecting a client app: the polling interval to use from now on, in seconds (after `slow_down`). */
  interval: z.number().int().optional(),
  /** A client app's session that ended: why (`signed_out`, `device_removed`, …). */
  reason: z.string().optional(),
});

/** Standard error responses, listed in OpenAPI for every route that can produce them. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ProblemSchema])) as Record<number, typeof ProblemSchema>;
