import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaHandler } from '../../functions/api/handler.js';
import { httpApiEvent, lambdaContext } from '../../infra/bench/http-api-event.mjs';
import { harness } from '../helpers/harness.js';

// The events bench:coldstart and bench:join -- --transport lambda send are ones the deployed handler
// code (lambdaHandler, hono/aws-lambda) answers as API Gateway's: a join is taken, the query string
// read, and the request id comes from the event's requestContext.
describe('bench HTTP API v2 events through the Lambda handler', () => {
  it('health, a join with its body and headers, and a listing with a query string', async () => {
    const h = await harness({ devAuth: true });
    const run = lambdaHandler(async () => h.deps);
    const handler = async (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) =>
      (await run(event, context)) as APIGatewayProxyStructuredResultV2;
    const { token } = await h.login('bench-leader');
    const campaign = await h.createCampaign(token);

    const health = await handler(httpApiEvent({ path: '/health', requestId: 'req-health' }), lambdaContext('req-health'));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body!)).toEqual({ status: 'ok' });

    const joined = await handler(
      httpApiEvent({
        method: 'POST',
        path: `/campaigns/${campaign.id}/entries`,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'bench-1' },
        body: JSON.stringify({ items: [{ itemId: 'i1', qty: 2 }] }),
        requestId: 'req-join',
      }),
      lambdaContext('req-join'),
    );
    expect(joined.statusCode).toBe(201);
    expect(joined.headers?.['x-request-id']).toBe('req-join');
    expect(JSON.parse(joined.body!)).toMatchObject({ seq: 1, items: [{ itemId: 'i1', qty: 2 }] });

    const listed = await handler(
      httpApiEvent({ path: `/campaigns/${campaign.id}/entries`, query: 'limit=1', requestId: 'req-list' }),
      lambdaContext('req-list'),
    );
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body!).entries).toHaveLength(1);

    const bad = await handler(httpApiEvent({ path: `/campaigns/${campaign.id}/entries`, query: 'limit=0' }), lambdaContext());
    expect(bad.statusCode).toBe(400);
  });
});
