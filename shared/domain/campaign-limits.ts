import { ValidationError } from '../errors.js';
import type { CampaignDefinition } from './types.js';

/**
 * How big a campaign may get. The definition is one DynamoDB item (META, ≤ 400 KB) that every
 * campaign read returns, so every list in it and every string is capped, on create (the request
 * schemas read these) and on every edit (checkCampaignSize, since edits append). With every list
 * full and every string at its longest in 3-byte characters, the item is ≈104 KB
 * (test/unit/campaign-size.test.ts measures it by DynamoDB's rules).
 */
export const CAMPAIGN_LIMITS = {
  titleLength: 100,
  descriptionLength: 2000,
  items: 50,
  tiersPerItem: 10,
  itemNameLength: 100,
  itemSpecLength: 100,
  pickupPoints: 50,
  pickupNameLength: 100,
  pickupAddressLength: 200,
  /** household campaigns: active entries one user may hold (each its own number); 1 is the classic one-per-user */
  entriesPerUser: 10,
} as const;

/** What a definition may weigh (JSON, UTF-8): above any campaign the limits allow, well below 400 KB. */
export const MAX_CAMPAIGN_BYTES = 350 * 1024;

const encoder = new TextEncoder();

/** The definition's JSON in UTF-8 bytes: over-counts DynamoDB's size (quotes, commas) by a little. */
export function definitionBytes(def: Omit<CampaignDefinition, 'shareCode'>): number {
  return encoder.encode(JSON.stringify(def)).length;
}

/**
 * Refuse a campaign (as it would be after a create or an edit) whose lists pass their caps or
 * whose item could approach DynamoDB's limit: 400 VALIDATION_FAILED, before anything is written.
 * Paths name the edit's fields, the only way past the request schemas' own caps.
 */
export function checkCampaignSize(def: Omit<CampaignDefinition, 'shareCode'>): void {
  const fields: Array<{ path: string; message: string }> = [];
  if (def.items.length > CAMPAIGN_LIMITS.items) {
    fields.push({ path: 'body.addItems', message: `at most ${CAMPAIGN_LIMITS.items} items a campaign` });
  }
  if (def.pickupPoints.length > CAMPAIGN_LIMITS.pickupPoints) {
    fields.push({ path: 'body.addPickupPoints', message: `at most ${CAMPAIGN_LIMITS.pickupPoints} pickup points a campaign` });
  }
  def.items.forEach((item, i) => {
    if (item.tiers.length > CAMPAIGN_LIMITS.tiersPerItem) {
      fields.push({ path: `items.${i}.tiers`, message: `at most ${CAMPAIGN_LIMITS.tiersPerItem} tiers an item` });
    }
  });
  if (fields.length === 0 && definitionBytes(def) > MAX_CAMPAIGN_BYTES) {
    fields.push({ path: 'body', message: `the campaign would exceed ${MAX_CAMPAIGN_BYTES} bytes` });
  }
  if (fields.length > 0) throw new ValidationError('The campaign would be too large', { fields });
}
