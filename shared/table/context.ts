import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';

/** What every data-access function needs: the client, the table, the clock. */
export interface DbContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /** Called with the capacity each join-path write consumed (benchmarks and the cost model). */
  readonly onCapacity?: (operation: string, capacity: ConsumedCapacity | ConsumedCapacity[] | undefined) => void;
}
