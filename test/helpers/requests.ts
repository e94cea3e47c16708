import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface SentRequest {
  command: string;
  input: Record<string, any>;
}

/**
 * Records every request the app sends to DynamoDB (command name and input) while `fn` runs, as SDK
 * middleware on the real client: what a route costs and how it reads, without mocking anything.
 */
export async function recordRequests<T>(doc: DynamoDBDocumentClient, fn: () => Promise<T>): Promise<{ result: T; sent: SentRequest[] }> {
  const sent: SentRequest[] = [];
  const name = `recordRequests-${Math.random().toString(36).slice(2)}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: context.commandName as string, input: args.input as Record<string, any> });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await fn(), sent };
  } finally {
    doc.middlewareStack.remove(name);
  }
}
