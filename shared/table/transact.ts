import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** One write of a TransactWriteItems request (Put, Update, Delete or ConditionCheck). */
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
