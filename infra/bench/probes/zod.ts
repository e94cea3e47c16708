// Breakdown probe: cost of loading zod alone.
import { z } from 'zod';

const Health = z.object({ status: z.literal('ok') });

export const handler = async () => ({ statusCode: 200, body: JSON.stringify(Health.parse({ status: 'ok' })) });
