import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const mfaRoutes: FastifyPluginAsyncZod = async () => {};

export default mfaRoutes;
