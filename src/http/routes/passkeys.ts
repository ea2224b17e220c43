import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { identityIsFresh } from '../../domain/assurance.js';
import { listPasskeys } from '../../services/passkeys/list-passkeys.js';
import {
  finishPasskeyAuthentication,
  startPasskeyAuthentication,
} from '../../services/passkeys/passkey-authentication.js';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../services/passkeys/passkey-registration.js';
import { relyingPartyFor } from '../../services/passkeys/relying-party.js';
import { removePasskey } from '../../services/passkeys/remove-passkey.js';
import { renamePasskey } from '../../services/passkeys/rename-passkey.js';
import type { AuthenticatedSession } from '../../services/sessions/authenticated-session.js';
import { identityConfirmationRequired } from '../plugins/gates.js';
import { requestContext, requireSession } from '../context.js';
import { Me, NameText, problemResponses } from '../schemas.js';
import { meForNewToken } from './auth.js';

/** base64url as WebAuthn JSON carries it. Long enough for attestation certificates, short of the body limit. */
const Base64Url = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*={0,2}$/, { error: 'Expected base64url.' });

// Loose objects: browsers add fields as WebAuthn grows; @simplewebauthn/server checks what matters.
const RegistrationResponse = z.looseObject({
  id: Base64Url.min(1),
  rawId: Base64Url.min(1),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url,
    attestationObject: Base64Url,
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const AuthenticationResponse = z.looseObject({
  id: Base64Url.min(1),
  rawId: Base64Url.min(1),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url,
    authenticatorData: Base64Url,
    signature: Base64Url,
    userHandle: Base64Url.optional(),
  }),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const PasskeyName = NameText('Names', { requiredMessage: 'Enter a name for the passkey.' });

const Purpose = z.enum(['sign-in', 'identity'], { error: 'Choose sign-in or identity.' });
const PasskeyParams = z.strictObject({ passkeyId: z.uuid({ error: 'Not a valid passkey id.' }) });

const PasskeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

/** What the browser hands to navigator.credentials.create() / get() (WebAuthn's JSON form). */
const CeremonyOptions = z.looseObject({ challenge: z.string() });

/** Adding a factor when one exists is changing MFA: it needs a fresh identity confirmation (SPEC §5). */
function ensureMayAddFactor(session: AuthenticatedSession, now: number): void {
  if (session.assurance.mfaEnabled && !identityIsFresh(session.assurance, now)) {
    throw identityConfirmationRequired();
  }
}

/** Passkeys and security keys (WebAuthn) as a second factor: add, name, remove, sign in and confirm identity. */
const passkeysRoutes: FastifyPluginAsyncZod = async (app) => {
  const rp = relyingPartyFor(app.config.publicUrl);

  app.get(
    '/mfa/passkeys',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary: "The signed-in user's passkeys and security keys",
        response: { 200: z.object({ passkeys: z.array(PasskeyView) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ passkeys: await listPasskeys(app.db, requireSession(request).user.id) }),
  );

  app.post(
    '/mfa/passkeys/registration-options',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary:
          'Add a passkey, step 1: options for navigator.credentials.create() (identity confirmation when MFA is already on)',
        response: { 200: CeremonyOptions, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      ensureMayAddFactor(session, app.clock.now());
      return { ...(await startPasskeyRegistration(app.db, app.clock, session, rp)) };
    },
  );

  app.post(
    '/mfa/passkeys',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary:
          'Add a passkey, step 2: the named credential the authenticator created; recovery codes (once) when it turns MFA on',
        body: z.strictObject({ name: PasskeyName, response: RegistrationResponse }),
        response: {
          201: z.object({ passkey: PasskeyView, recoveryCodes: z.array(z.string()).nullable() }),
          ...problemResponses(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      ensureMayAddFactor(session, app.clock.now());
      const added = await finishPasskeyRegistration(
        app.unitOfWork,
        app.clock,
        session,
        rp,
        { name: request.body.name, response: request.body.response as RegistrationResponseJSON },
        requestContext(request),
      );
      return reply.status(201).send(added);
    },
  );

  app.patch(
    '/mfa/passkeys/:passkeyId',
    {
      schema: {
        tags: ['mfa'],
        summary: 'Rename a passkey',
        params: PasskeyParams,
        body: z.strictObject({ name: PasskeyName }),
        response: { 200: PasskeyView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      app.unitOfWork.run((tx) =>
        renamePasskey(
          tx,
          requireSession(request),
          request.params.passkeyId,
          request.body.name,
          requestContext(request),
        ),
      ),
  );

  app.delete(
    '/mfa/passkeys/:passkeyId',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['mfa'],
        summary: 'Remove a passkey (identity confirmation); removing the last factor turns MFA off',
        params: PasskeyParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.unitOfWork.run((tx) =>
        removePasskey(tx, requireSession(request), request.params.passkeyId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/mfa/passkeys/authentication-options',
    {
      config: { allowWhile: ['second-factor'] },
      schema: {
        tags: ['mfa'],
        summary:
          'Use a passkey, step 1: options for navigator.credentials.get(), for the verification page or Confirm your identity',
        body: z.strictObject({ purpose: Purpose }),
        response: { 200: CeremonyOptions, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request) => ({
      ...(await startPasskeyAuthentication(app.db, app.clock, requireSession(request), rp, request.body.purpose)),
    }),
  );

  app.post(
    '/mfa/passkeys/verify',
    {
      config: { allowWhile: ['second-factor'] },
      schema: {
        tags: ['mfa'],
        summary: "Use a passkey, step 2: check the authenticator's signed answer; answers the session as it is now",
        body: z.strictObject({ purpose: Purpose, response: AuthenticationResponse }),
        response: { 200: Me, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      const token = await finishPasskeyAuthentication(
        { unitOfWork: app.unitOfWork, attempts: app.attempts, clock: app.clock },
        session,
        rp,
        { purpose: request.body.purpose, response: request.body.response as AuthenticationResponseJSON },
        requestContext(request),
      );
      if (token) reply.setSessionCookie(token);
      return meForNewToken(app, request, token ?? undefined);
    },
  );
};

export default passkeysRoutes;
