// Breakdown probe: cost of loading the AWS SDK clients the API uses (DynamoDB document client, Secrets Manager).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-east-1' }));
const secrets = new SecretsManagerClient({ region: 'ap-east-1' });

export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ ok: Boolean(doc && secrets) }) });
