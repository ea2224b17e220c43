import { z } from 'zod';
import { findUnsafeCharacter } from '../../../domain/text.js';
import { scimInvalid } from '../errors.js';

/** What Gatehouse keeps of a SCIM user; every other attribute a connector sends is accepted and ignored. */
export interface UserInput {
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string;
  active: boolean;
  externalId: string | null;
}

// Entra sends booleans as the strings "True" and "False".
const ScimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i)
    .transform((value) => value.toLowerCase() === 'true'),
]);

const ScimText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `Use at most ${max} characters.` })
    .refine((value) => findUnsafeCharacter(value) === null, { error: 'Contains a character that cannot be shown.' });

const UserBody = z.looseObject({
  userName: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'userName must be the person’s email address.' }).max(254)),
  externalId: ScimText(255).nullish(),
  displayName: ScimText(100).nullish(),
  name: z
    .looseObject({
      givenName: ScimText(100).nullish(),
      familyName: ScimText(100).nullish(),
      formatted: ScimText(100).nullish(),
    })
    .nullish(),
  active: ScimBoolean.nullish(),
});

export function readUserInput(body: unknown, fallbackActive: boolean): UserInput {
  const parsed = UserBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    throw scimInvalid(
      path === 'userName' && issue.code === 'invalid_type'
        ? 'userName is required.'
        : `${path || 'body'}: ${issue.message}`,
      path === 'userName' && issue.code === 'invalid_type' ? 'invalidSyntax' : 'invalidValue',
    );
  }
  const value = parsed.data;
  const givenName = value.name?.givenName || null;
  const familyName = value.name?.familyName || null;
  const displayName =
    value.displayName ||
    value.name?.formatted ||
    [givenName, familyName].filter(Boolean).join(' ') ||
    value.userName.split('@')[0]!;
  return {
    email: value.userName,
    givenName,
    familyName,
    displayName,
    active: value.active ?? fallbackActive,
    externalId: value.externalId || null,
  };
}
