/**
 * The optimistic guard of every #META definition edit (campaign edits, photos): nobody changed the
 * definition since it was read. Campaigns start without `defVersion`, so version 0 also matches its
 * absence. Uses `#defVersion` and `:def`; the update sets `#defVersion = :def + 1`.
 */
export const defVersionCondition = (defVersion: number): string =>
  defVersion === 0 ? '(attribute_not_exists(#defVersion) OR #defVersion = :def)' : '#defVersion = :def';
