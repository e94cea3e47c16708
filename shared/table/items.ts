import { GSI_BY_OWNER, GSI_DUE, KEY } from './schema.js';

const KEY_ATTRIBUTES = new Set<string>([
  KEY.pk,
  KEY.sk,
  'type',
  GSI_BY_OWNER.partitionKey,
  GSI_BY_OWNER.sortKey,
  GSI_DUE.partitionKey,
  GSI_DUE.sortKey,
]);

/** An item without its key attributes and type tag: what a domain object is built from. */
export function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name)) rest[name] = value;
  return rest;
}

/**
 * One kind of stored item, named by its `type` tag: how a record becomes an item (keys and tag
 * added) and an item read back becomes the record (keys and tag stripped). Call sites never spell
 * the tag or strip keys by hand, and the one unchecked conversion of a read lives here: the table
 * is written only through these definitions, so what it holds has the record's shape.
 */
export interface ItemKind<T extends object> {
  readonly type: string;
  toItem(key: Record<string, string>, record: T): Record<string, unknown>;
  fromItem(item: Record<string, unknown>): T;
  /** `fromItem` of an item that may be absent (GetItem's `Item`) */
  fromMaybe(item: Record<string, unknown> | undefined): T | null;
}

export function itemKind<T extends object>(type: string): ItemKind<T> {
  const fromItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as T;
  return {
    type,
    toItem: (key, record) => ({ ...key, type, ...record }),
    fromItem,
    fromMaybe: (item) => (item ? fromItem(item) : null),
  };
}
