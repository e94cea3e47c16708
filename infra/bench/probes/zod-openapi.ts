// Breakdown probe: Hono + @hono/zod-openapi (zod included) with one route.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { handle } from 'hono/aws-lambda';

const app = new OpenAPIHono();
app.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    responses: {
      200: { description: 'ok', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
    },
  }),
  (c) => c.json({ status: 'ok' as const }, 200),
);

export const handler = handle(app);
