// Baseline for `npm run bench:coldstart`: a bare Hono app behind the same Lambda adapter.
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const app = new Hono();
app.get('/health', (c) => c.json({ ok: true }));

export const handler = handle(app);
