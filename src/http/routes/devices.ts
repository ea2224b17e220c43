import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEVICE_CODE_DIGITS, DEVICE_NAME_MAX_LENGTH } from '../../domain/devices.js';
import { createDevice } from '../../services/devices/create-device.js';
import { decideDevice } from '../../services/devices/decide-device.js';
import { getCurrentDeviceState, listOwnDevices } from '../../services/devices/list-devices.js';
import { sendDeviceCode } from '../../services/devices/send-code.js';
import { submitDeviceCode } from '../../services/devices/verify-code.js';
import { listDevicesOf, removeDevice } from '../../services/device-removal.js';
import { requestContext, requireSession } from '../context.js';
import { NameText, problemResponses } from '../schemas.js';

const DeviceKindSchema = z.enum(['browser', 'extension', 'cli']);
const DeviceStatusSchema = z.enum(['pending_verification', 'pending_approval', 'approved', 'denied', 'removed']);

const DeviceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: DeviceKindSchema,
  status: DeviceStatusSchema,
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  approvedUntil: z.string().nullable(),
  approvalExpired: z.boolean(),
  current: z.boolean(),
});

const CurrentDeviceSchema = DeviceSchema.extend({
  code: z.object({ expiresAt: z.string(), triesLeft: z.number().int() }).nullable(),
});

const CurrentStateSchema = z.object({
  device: CurrentDeviceSchema.nullable(),
  suggestedName: z.string(),
  hasTrustedDevice: z.boolean(),
});

const DeviceName = NameText('Device names', {
  max: DEVICE_NAME_MAX_LENGTH,
  requiredMessage: 'Enter a name for this device.',
});

const DeviceParams = z.strictObject({ deviceId: z.uuid({ error: 'Not a valid device id.' }) });
const UserDeviceParams = z.strictObject({
  userId: z.uuid({ error: 'Not a valid user id.' }),
  deviceId: z.uuid({ error: 'Not a valid device id.' }),
});
const ListQuery = z.strictObject({
  includeRemoved: z
    .enum(['true', 'false'], { error: 'Use true or false.' })
    .optional()
    .transform((value) => value === 'true'),
});

/**
 * Trusted sessions (SPEC §6). The web app registers its browser here and keeps the device secret in an
 * HttpOnly cookie; a client app (kind `extension` / `cli`) becomes a device by connecting (routes/connect.ts)
 * and presents its secret in the `x-gatehouse-device` header. Both then use the same routes: the current
 * device's status, the emailed code, and the list.
 */
const deviceRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = () => ({
    masterKey: app.masterKey,
    keyring: app.keyring,
    clock: app.clock,
    publicUrl: app.config.publicUrl,
  });

  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'My trusted devices: every device of the signed-in user (removed ones on request)',
        querystring: ListQuery,
        response: { 200: z.object({ devices: z.array(DeviceSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      devices: await listOwnDevices(app.db, app.clock, requireSession(request), request.query.includeRemoved),
    }),
  );

  app.get(
    '/devices/current',
    {
      schema: {
        tags: ['devices'],
        summary: "This client's device and its status (poll it while waiting), and a suggested name for a new one",
        response: { 200: CurrentStateSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) =>
      getCurrentDeviceState(app.db, app.clock, requireSession(request), requestContext(request).userAgent),
  );

  app.post(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary:
          'Set up a trusted session: register this client as a device. It then waits for approval on a trusted device, or for the code mailed to the user',
        body: z.strictObject({
          name: DeviceName,
          kind: z
            .literal('browser', {
              error:
                'Client apps (the browser extension, the command line) connect through POST /api/v1/connect/start.',
            })
            .default('browser'),
        }),
        response: { 201: z.object({ device: CurrentDeviceSchema }), ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      const { device, secret } = await app.unitOfWork.run((tx) =>
        createDevice(tx, session, request.body, deps(), requestContext(request)),
      );
      reply.setDeviceCookie(secret);
      return reply.status(201).send({ device });
    },
  );

  app.post(
    '/devices/current/code',
    {
      schema: {
        tags: ['devices'],
        summary: "I don't have access to my trusted device: email a 6-digit code for this device (also: resend)",
        response: { 200: CurrentDeviceSchema, ...problemResponses(401, 403, 409, 429) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const device = await app.unitOfWork.run((tx) => sendDeviceCode(tx, session, deps(), requestContext(request)));
      return device;
    },
  );

  app.post(
    '/devices/current/verify',
    {
      schema: {
        tags: ['devices'],
        summary: 'Verify code: approve this device with the emailed code (5 minutes, at most 5 tries)',
        body: z.strictObject({
          code: z
            .string()
            .trim()
            .regex(new RegExp(`^\\d{${DEVICE_CODE_DIGITS}}$`), {
              error: `Enter the ${DEVICE_CODE_DIGITS}-digit code from the email.`,
            }),
        }),
        response: { 200: CurrentDeviceSchema, ...problemResponses(400, 401, 403, 409, 410, 422, 429) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      return submitDeviceCode(
        app.unitOfWork,
        app.attempts,
        session,
        request.body.code,
        deps(),
        requestContext(request),
      );
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/devices/:deviceId/${decision}`,
      {
        schema: {
          tags: ['devices'],
          summary:
            decision === 'approve'
              ? 'Approve a pending device of yours, from a trusted session'
              : 'Deny a pending device of yours, from a trusted session',
          params: DeviceParams,
          response: { 200: DeviceSchema, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const session = requireSession(request);
        return app.unitOfWork.run((tx) =>
          decideDevice(tx, deps(), session, request.params.deviceId, decision, requestContext(request)),
        );
      },
    );
  }

  app.delete(
    '/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Remove one of your devices (final: it is out at its next request)',
        params: DeviceParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeDevice(tx, actor, actor.userId, request.params.deviceId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/users/:userId/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "A user's devices (workspace owner and admins; host admins for their partners' guests)",
        params: z.strictObject({ userId: z.uuid({ error: 'Not a valid user id.' }) }),
        querystring: ListQuery,
        response: { 200: z.object({ devices: z.array(DeviceSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      devices: await listDevicesOf(
        app.db,
        app.clock,
        requireSession(request).actor,
        request.params.userId,
        request.query.includeRemoved,
      ),
    }),
  );

  app.delete(
    '/users/:userId/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: "Remove a user's device (workspace owner and admins; host admins for their partners' guests)",
        params: UserDeviceParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeDevice(tx, actor, request.params.userId, request.params.deviceId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );
};

export default deviceRoutes;
