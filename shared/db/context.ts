import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import type { CampaignCache } from './campaign-cache.js';

/** What every data-access function needs: the client, the table, the clock. */
export interface DbContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /** join-path cache of campaign snapshots (see campaign-cache.ts); absent: always read */
  readonly cache?: CampaignCache;
  /** Called with the capacity each join-path write consumed (benchmarks and the cost model). */
  readonly onCapacity?: (operation: string, capacity: ConsumedCapacity | ConsumedCapacity[] | undefined) => void;
}
