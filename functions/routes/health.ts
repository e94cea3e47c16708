import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../validation.js';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Meta'],
  summary: 'Liveness: 200 when the function answers (does not touch the database)',
  responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

export function healthRoutes() {
  return newRouter().openapi(health, (c) => c.json({ status: 'ok' as const }, 200));
}
