import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const passkeysRoutes: FastifyPluginAsyncZod = async () => {};

export default passkeysRoutes;
