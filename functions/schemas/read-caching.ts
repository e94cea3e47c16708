import { z } from '@hono/zod-openapi';

/**
 * What the read path (functions/read-caching.ts) declares: the headers of its 200 and its 304.
 * The routes validate no If-None-Match header (a malformed one simply matches nothing).
 */
export const readHeaders = z.object({
  ETag: z.string().openapi({
    description:
      'A strong validator of this exact body (it differs between readers who see different bytes, e.g. their own line). ' +
      'Send it back as If-None-Match (several, comma-separated, or `*`) to get 304 when nothing changed',
    example: '"3q2-7wEjRFWGd4iZqrvM3w"',
  }),
  'Cache-Control': z.string().openapi({
    description:
      'Anonymous and published: `public, max-age=1, stale-while-revalidate=5` (a CDN may share it a second). ' +
      'With an Authorization header: `private, no-cache`. A draft: `private, no-store`',
  }),
  Vary: z.string().openapi({ description: 'Authorization (and Accept on /s/{shareCode})' }),
});

/** The 304 of a conditional read: no body, the same ETag and caching headers as the 200. */
export const notModified = {
  description:
    'Not Modified: If-None-Match names the current ETag (or is `*`). No body; ETag, Cache-Control and Vary as the 200 would have. ' +
    'It costs the same reads as the 200',
  headers: readHeaders,
};
