import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CLIENT_APP_KINDS } from '../../domain/client-apps.js';
import type { ClientAppKind } from '../../domain/vocabulary.js';
import { approvedClientApps } from '../../services/client-apps.js';
import { getWorkspaceSettings, updateWorkspaceSettings } from '../../services/workspace-settings.js';
import { requestContext, requireSession } from '../context.js';
import { DisplayName, problemResponses } from '../schemas.js';

const ClientAppKindSchema = z.enum(CLIENT_APP_KINDS);

const Settings = z.object({
  name: z.string(),
  invitationTtlHours: z.number().int(),
  passwordMinLength: z.number().int(),
  idpRedirectSeconds: z.number().int(),
  verifiedDomains: z.array(z.string()),
  deviceApprovalDays: z.number().int(),
  approvedClientApps: z.array(ClientAppKindSchema),
});

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: 'Enter a domain such as acme.com.',
  });

/** The approved kinds in one order, each once, so that the same choice always reads the same. */
const inSettingsOrder = (kinds: readonly ClientAppKind[]) => CLIENT_APP_KINDS.filter((kind) => kinds.includes(kind));

const workspaceSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/workspace/client-apps',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'The client apps the workspace approves (browser extension, command line), for everyone signed in: Install the client apps',
        response: {
          200: z.object({ approvedClientApps: z.array(ClientAppKindSchema) }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => ({
      approvedClientApps: await approvedClientApps(app.db, requireSession(request).actor.workspaceId),
    }),
  );

  app.get(
    '/workspace/settings',
    {
      schema: {
        tags: ['workspace'],
        summary: "The workspace's settings (owner and admins)",
        response: { 200: Settings, ...problemResponses(401, 403) },
      },
    },
    async (request) => getWorkspaceSettings(app.db, requireSession(request).actor),
  );

  app.patch(
    '/workspace/settings',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'Change workspace settings: invitation lifetime, password length, IdP countdown, domains, device approval lifetime, approved client apps',
        body: z.strictObject({
          name: DisplayName.optional(),
          invitationTtlHours: z
            .number()
            .int()
            .min(1, { error: 'Invitations last at least 1 hour.' })
            .max(720, { error: 'Invitations last at most 720 hours (30 days).' })
            .optional(),
          passwordMinLength: z
            .number()
            .int()
            .min(8, { error: 'Passwords need at least 8 characters.' })
            .max(128, { error: 'Use at most 128.' })
            .optional(),
          idpRedirectSeconds: z.number().int().min(0).max(60, { error: 'Use 0 to 60 seconds.' }).optional(),
          verifiedDomains: z.array(Domain).max(50).optional(),
          deviceApprovalDays: z
            .number()
            .int()
            .min(1, { error: 'Approvals last at least 1 day.' })
            .max(365, { error: 'Approvals last at most 365 days.' })
            .optional(),
          approvedClientApps: z
            .array(z.enum(CLIENT_APP_KINDS, { error: 'Use extension or cli.' }))
            .max(CLIENT_APP_KINDS.length * 2)
            .optional(),
        }),
        response: { 200: Settings, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const changes = {
        ...request.body,
        verifiedDomains: request.body.verifiedDomains && [...new Set(request.body.verifiedDomains)],
        approvedClientApps: request.body.approvedClientApps && inSettingsOrder(request.body.approvedClientApps),
      };
      return app.unitOfWork.run((tx) => updateWorkspaceSettings(tx, actor, changes, requestContext(request)));
    },
  );
};

export default workspaceSettingsRoutes;
