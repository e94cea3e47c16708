import { LimitExceededError, ValidationError } from '../errors.js';
import { checkPrepaidAmount } from './money-bounds.js';
import type { CampaignDefinition, EntryLine } from './types.js';

/**
 * Checks of an entry's lines that need only the campaign definition. perPersonLimit is one of
 * them: a user has at most one active entry per campaign (enforced by the claim in shared/entries), so the
 * entry's own quantity is everything that user holds of the item. A household campaign
 * (maxEntriesPerUser N > 1) applies it to each entry, one household member's order: the leader who
 * allows N entries allows N × perPersonLimit per account. In a prepaid campaign the
 * entry's amount must also fit one WeChat Pay order (join and raise alike call this).
 */
export function checkEntryLines(
  def: Pick<CampaignDefinition, 'items'> & Partial<Pick<CampaignDefinition, 'paymentMode'>>,
  lines: readonly EntryLine[],
): void {
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const item = def.items.find((i) => i.id === line.itemId);
    if (!item) {
      throw new ValidationError(`Unknown item ${line.itemId}`, {
        fields: [{ path: `items.${index}.itemId`, message: 'no such item in this campaign' }],
      });
    }
    if (seen.has(line.itemId)) {
      throw new ValidationError(`Item ${line.itemId} appears twice`, {
        fields: [{ path: `items.${index}.itemId`, message: 'an item may appear once' }],
      });
    }
    seen.add(line.itemId);
    if (item.perPersonLimit !== null && line.qty > item.perPersonLimit) {
      throw new LimitExceededError(item.id, item.perPersonLimit, line.qty);
    }
  });
  checkPrepaidAmount(def, lines);
}

export function checkPickupPoint(def: Pick<CampaignDefinition, 'pickupPoints'>, pickupPointId: string | null | undefined): void {
  if (pickupPointId == null) return;
  if (!def.pickupPoints.some((p) => p.id === pickupPointId)) {
    throw new ValidationError(`Unknown pickup point ${pickupPointId}`, {
      fields: [{ path: 'pickupPointId', message: 'no such pickup point in this campaign' }],
    });
  }
}

/** Per-item change in units when an entry goes from `before` to `after` (cancel: after = []). */
export function quantityDelta(before: readonly EntryLine[], after: readonly EntryLine[]): Map<string, number> {
  const delta = new Map<string, number>();
  for (const l of after) delta.set(l.itemId, (delta.get(l.itemId) ?? 0) + l.qty);
  for (const l of before) delta.set(l.itemId, (delta.get(l.itemId) ?? 0) - l.qty);
  for (const [k, v] of delta) if (v === 0) delta.delete(k);
  return delta;
}
