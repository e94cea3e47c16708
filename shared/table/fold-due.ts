import { indexKeys, keys } from './keys.js';
import type { TransactItem } from './transact.js';

/**
 * Pure: the marker that a settled campaign of a community is still to be folded into its member
 * book and numbers (gsi2 FOLD, found by the sweep). Written in the settlement's own transaction, so
 * no crash between settling and scheduling loses the fold; the fold deletes it when done.
 */
export function foldDuePut(tableName: string, campaignId: string, communityId: string, at: string): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.foldDue(campaignId), ...indexKeys.foldDue(at, campaignId), type: 'fold-due', campaignId, communityId, at },
    },
  };
}
