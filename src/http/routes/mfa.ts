import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, conflict } from '../../domain/errors.js';
import { normalizeRecoveryCode } from '../../crypto/recovery-codes.js';
import { cancelTotpEnrolment } from '../../services/mfa/cancel-totp-enrolment.js';
import { finishTotpEnrolment } from '../../services/mfa/confirm-totp-enrolment.js';
import { recoveryCodeInvalid, totpCodeMalformed } from '../../services/mfa/mfa-problems.js';
import { mfaStatus, secondFactorMethods } from '../../services/mfa/mfa-status.js';
import { regenerateRecoveryCodes } from '../../services/mfa/regenerate-recovery-codes.js';
import { normalizeTotpCode } from '../../services/mfa/shared.js';
import { startTotpEnrolment } from '../../services/mfa/start-totp-enrolment.js';
import { turnOffTotp } from '../../services/mfa/turn-off-totp.js';
import { answerSecondFactor, type SecondFactorProof } from '../../services/mfa/verify-second-factor.js';
import { mfaStatusForAdmin, resetMfa } from '../../services/mfa-reset.js';
import { requestContext, requireSession } from '../context.js';
import { checkAssurance } from '../plugins/gates.js';
import { Me, problemResponses } from '../schemas.js';
import { meForNewToken } from './auth.js';

const MfaStatusSchema = z.object({
  totp: z.boolean().describe('An authenticator app (TOTP) is on'),
  passkeys: z.number().describe('Passkeys and security keys registered'),
  recoveryCodes: z.number().describe('Unused recovery codes'),
});

const RecoveryCodes = z.array(z.string()).describe('Shown once: only their hashes are kept');

const ProofBody = z
  .strictObject({
    code: z.string().max(32).optional().describe('A 6-digit code from the authenticator app'),
    recoveryCode: z.string().max(64).optional().describe('One of the recovery codes'),
  })
  .describe('Either code or recoveryCode');

const UserParams = z.strictObject({ userId: z.uuid({ error: 'Not a valid user id.' }) });

/** The one proof the body carries; malformed input is refused here, before it costs an attempt. */
function toProof(body: z.infer<typeof ProofBody>): SecondFactorProof {
  if (body.code !== undefined && body.recoveryCode === undefined) {
    const code = normalizeTotpCode(body.code);
    if (!/^\d{6}$/.test(code)) throw totpCodeMalformed();
    return { code };
  }
  if (body.recoveryCode !== undefined && body.code === undefined) {
    if (normalizeRecoveryCode(body.recoveryCode).length !== 10) throw recoveryCodeInvalid();
    return { recoveryCode: body.recoveryCode };
  }
  throw new AppError(
    'validation-failed',
    400,
    'Invalid request',
    'Send either an authentication code or a recovery code.',
    [{ path: 'code', message: 'Enter an authentication code or a recovery code.' }],
  );
}

const mfaRoutes: FastifyPluginAsyncZod = async (app) => {
  const counting = () => ({
    unitOfWork: app.unitOfWork,
    attempts: app.attempts,
    keyring: app.keyring,
    clock: app.clock,
  });

  app.get(
    '/mfa',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary: "The signed-in user's second factors",
        response: { 200: MfaStatusSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => mfaStatus(app.db, requireSession(request).user.id),
  );

  app.post(
    '/mfa/totp/setup',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary:
          'Turn on MFA: start adding an authenticator app, or resume the one waiting; confirm it with its first code',
        description:
          'Returns the key as text, its otpauth:// URI and a QR code of it. The key waiting for its first code is returned again (`resumed`) until it is confirmed or cancelled; `startOver` sets it aside for a new one. With MFA already on, this changes it: it needs a confirmed identity.',
        body: z.strictObject({ startOver: z.boolean().optional() }).nullish(),
        response: {
          200: z.object({
            key: z.string(),
            uri: z.string(),
            qrCode: z.string().describe('A data: URL (PNG)'),
            resumed: z.boolean(),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      if (session.assurance.mfaEnabled) checkAssurance(session, { confirmIdentity: true }, app.clock.now());
      const startOver = request.body?.startOver ?? false;
      return app.unitOfWork.run((tx) =>
        startTotpEnrolment(tx, app.keyring, session, requestContext(request), { startOver }),
      );
    },
  );

  app.delete(
    '/mfa/totp/setup',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary: '**Cancel** adding an authenticator app: the key waiting for its first code is dropped',
        response: { 204: z.null(), ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await app.unitOfWork.run((tx) => cancelTotpEnrolment(tx, session, requestContext(request)));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/mfa/totp/confirm',
    {
      config: { mfaEnrolment: true },
      schema: {
        tags: ['mfa'],
        summary: 'Verify the first code of the authenticator app being added; turns it on',
        description:
          'With the first factor, ten recovery codes are created and returned here once. The session counts as having passed a second factor.',
        body: z.strictObject({ code: z.string().max(32) }),
        response: {
          200: z.object({ recoveryCodes: RecoveryCodes.nullable(), me: Me }),
          ...problemResponses(400, 401, 403, 409, 422, 429),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const { code } = toProof({ code: request.body.code }) as { code: string };
      const { recoveryCodes } = await finishTotpEnrolment(counting(), session, code, requestContext(request));
      return { recoveryCodes, me: await meForNewToken(app, request) };
    },
  );

  app.delete(
    '/mfa/totp',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['mfa'],
        summary: 'Turn off the authenticator app (needs a confirmed identity)',
        description: 'With no second factor left, the recovery codes are removed too.',
        response: { 204: z.null(), ...problemResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await app.unitOfWork.run((tx) => turnOffTotp(tx, session, requestContext(request)));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/mfa/recovery-codes',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['mfa'],
        summary: 'Replace the recovery codes with ten new ones (needs a confirmed identity); the old ones stop working',
        response: { 200: z.object({ recoveryCodes: RecoveryCodes }), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const recoveryCodes = await app.unitOfWork.run((tx) =>
        regenerateRecoveryCodes(tx, session, requestContext(request)),
      );
      return { recoveryCodes };
    },
  );

  app.post(
    '/mfa/confirm-identity',
    {
      schema: {
        tags: ['mfa'],
        summary: 'Confirm your identity with a second factor: sensitive actions are allowed for 5 minutes',
        body: ProofBody,
        response: { 200: Me, ...problemResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const proof = toProof(request.body);
      await answerSecondFactor(counting(), session, proof, 'identity', requestContext(request));
      return meForNewToken(app, request);
    },
  );

  app.get(
    '/auth/second-factor/methods',
    {
      config: { allowWhile: ['second-factor'] },
      schema: {
        tags: ['auth'],
        summary: 'Which second factors the verification page can offer this user',
        response: {
          200: z.object({ totp: z.boolean(), passkey: z.boolean(), recoveryCode: z.boolean() }),
          ...problemResponses(401),
        },
      },
    },
    async (request) => secondFactorMethods(app.db, requireSession(request).user.id),
  );

  app.post(
    '/auth/second-factor',
    {
      config: { allowWhile: ['second-factor'] },
      schema: {
        tags: ['auth'],
        summary: 'The verification page after the password: an authentication code or a recovery code',
        description: 'On success the session token is replaced (a new cookie) and sign-in is complete.',
        body: ProofBody,
        response: { 200: Me, ...problemResponses(400, 401, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      if (!session.pending.secondFactor) {
        throw conflict('second-factor-not-pending', 'This session has already passed its second factor.');
      }
      const proof = toProof(request.body);
      const token = await answerSecondFactor(counting(), session, proof, 'sign-in', requestContext(request));
      reply.setSessionCookie(token!);
      return meForNewToken(app, request, token!);
    },
  );

  app.get(
    '/members/:userId/mfa',
    {
      schema: {
        tags: ['mfa'],
        summary: "A person's second factors, for someone who may reset them",
        params: UserParams,
        response: { 200: MfaStatusSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => mfaStatusForAdmin(app.db, requireSession(request).actor, request.params.userId),
  );

  app.post(
    '/members/:userId/reset-mfa',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['mfa'],
        summary: 'Reset MFA: remove all their second factors and recovery codes and end their sessions',
        description:
          'Who acts on whom: the owner for anyone else, admins for members and guests, host admins for guests of their partners; nobody for the owner. The person is emailed and must turn MFA on again. Needs a confirmed identity.',
        params: UserParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        resetMfa(
          tx,
          { masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl },
          actor,
          request.params.userId,
          requestContext(request),
        ),
      );
      return reply.status(204).send(null);
    },
  );
};

export default mfaRoutes;
