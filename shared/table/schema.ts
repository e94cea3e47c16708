/**
 * The one definition of the single table's key schema. The data-access code, `npm start`'s table
 * creation, the tests and the CDK table all read it from here, so they cannot drift apart.
 * Access patterns and the keys they use are documented in README.md ("Data model").
 */
export const KEY = { pk: 'pk', sk: 'sk' } as const;

/** "Mine" listings, newest first: campaigns a user leads, entries a user made. */
export const GSI_BY_OWNER = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/**
 * The "things due" index (gsi2), read by the sweep: each partition is a timeline of one kind of due
 * work, sorted by when it is due. OPEN: campaigns by closing time (only the META item carries these
 * keys, never the hot STATE item, and settling removes them); HOLD: prepaid entries whose hold
 * ends; REFUND_DUE: refunds to try; REFUND_PLAN: settlement refund passes to finish (see due-index.ts).
 */
export const GSI_DUE = { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

/** Attribute that DynamoDB TTL deletes by (epoch seconds); reserved for expiring records. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const TABLE_SCHEMA = {
  partitionKey: KEY.pk,
  sortKey: KEY.sk,
  /**
   * None: entries are keyed by their number (`ENTRY#<seq>`), so the base table itself lists them in
   * 接龙 order, strongly consistent, and a join pays for no local-index write (README "Cost model").
   */
  localIndexes: [] as readonly IndexDefinition[],
  globalIndexes: [GSI_BY_OWNER, GSI_DUE] as readonly IndexDefinition[],
  ttlAttribute: TTL_ATTRIBUTE,
} as const;

/** Every key attribute is a string. */
export function keyAttributeNames(): string[] {
  const names = new Set<string>([KEY.pk, KEY.sk]);
  for (const index of [...TABLE_SCHEMA.localIndexes, ...TABLE_SCHEMA.globalIndexes]) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names];
}
