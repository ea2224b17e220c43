import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const devicesRoutes: FastifyPluginAsyncZod = async () => {};

export default devicesRoutes;
