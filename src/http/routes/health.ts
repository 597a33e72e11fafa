import type { FastifyPluginAsync } from 'fastify';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  // The server migrates before it listens, so answering at all means the schema is current.
  app.get('/health', {
    schema: { tags: ['system'], response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } } },
  }, async () => ({ status: 'ok' as const }));
};
