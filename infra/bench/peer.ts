// The peer of `npm run bench:coldstart`: what a user would write instead of this API: a Hono app
// behind the same Lambda adapter with the DynamoDB document client, one route answering one GetItem
// (and /health). Its client is configured as the API's (shared/table/client.ts) so neither side
// pays for something the other skips: DYNAMODB_ENDPOINT and fixed credentials against DynamoDB Local.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  }),
);
const TableName = process.env.TABLE_NAME;

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
// The table's key is spelled out here, as a user's own handler would (the bench passes an existing pk/sk).
app.get('/items/:pk/:sk', async (c) => {
  const out = await doc.send(new GetCommand({ TableName, Key: { pk: c.req.param('pk'), sk: c.req.param('sk') } }));
  return out.Item ? c.json(out.Item) : c.json({ error: 'not found' }, 404);
});

export const handler = handle(app);
