import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_LIMITS, checkCampaignSize, definitionBytes, MAX_CAMPAIGN_BYTES } from '../../shared/domain/index.js';
import type { CampaignDefinition } from '../../shared/domain/types.js';
import { indexKeys, keys } from '../../shared/table/keys.js';

/** Three UTF-8 bytes per UTF-16 unit is the most a zod `.max(n)` string can hold (an astral character is 4 bytes in 2 units). */
const widest = (n: number) => '阳'.repeat(n);

/** DynamoDB's item size rules: names + values; strings in UTF-8, numbers ≤ 21 bytes, 3 bytes + 1 per element for maps and lists. */
function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return Math.min(21, Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((sum, e) => sum + 1 + valueBytes(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(e), 0);
  throw new Error(`unsized attribute ${JSON.stringify(v)}`);
}
const itemBytes = (item: Record<string, unknown>) =>
  Object.entries(marshall(item, { removeUndefinedValues: true })).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k, 'utf8') + valueBytes(v),
    0,
  );

/** The largest campaign the limits allow: every list full, every string at its longest. */
function largestCampaign(): CampaignDefinition {
  const L = CAMPAIGN_LIMITS;
  return {
    id: `c_${'A'.repeat(25)}`,
    shareCode: 'ABCD2345',
    leaderId: `u_${'B'.repeat(43)}`,
    title: widest(L.titleLength),
    description: widest(L.descriptionLength),
    opensAt: '2026-12-01T00:00:00.000Z',
    closesAt: '2026-12-03T12:00:00.000Z',
    tierBasis: 'participants',
    minParticipants: 100_000,
    items: Array.from({ length: L.items }, (_, i) => ({
      id: `i${i + 1}`,
      name: widest(L.itemNameLength),
      spec: widest(L.itemSpecLength),
      unitPrice: 99_999_999,
      stock: 9_999_999,
      perPersonLimit: 99_999,
      tiers: Array.from({ length: L.tiersPerItem }, (_, t) => ({ threshold: 9_999_990 + t, unitPrice: 99_999_998 - t })),
    })),
    pickupPoints: Array.from({ length: L.pickupPoints }, (_, i) => ({
      id: `p${i + 1}`,
      name: widest(L.pickupNameLength),
      address: widest(L.pickupAddressLength),
    })),
    createdAt: '2026-12-01T00:00:00.000Z',
    paymentMode: 'wechatpay',
    paymentHoldMinutes: 1440,
    maxEntriesPerUser: 10,
  };
}

describe('campaign size', () => {
  it('the largest campaign the limits allow stays far below DynamoDB’s 400 KB item limit', () => {
    const def = largestCampaign();
    // The META item exactly as createCampaign writes it, plus the edit's defVersion.
    const meta = {
      ...keys.campaignMeta(def.id),
      ...indexKeys.campaignByLeader(def.leaderId, def.createdAt, def.id),
      ...indexKeys.openByClose(def.closesAt, def.id),
      type: 'campaign',
      ...def,
      defVersion: 999_999,
    };
    const bytes = itemBytes(meta);
    expect(bytes).toBeLessThan(350 * 1024);
    // The guard the API applies (JSON UTF-8 bytes) over-counts DynamoDB's own measure, and lets this campaign through.
    expect(definitionBytes(def)).toBeGreaterThanOrEqual(bytes - 200);
    expect(definitionBytes(def)).toBeLessThan(MAX_CAMPAIGN_BYTES);
    expect(MAX_CAMPAIGN_BYTES).toBeLessThanOrEqual(350 * 1024);
    expect(() => checkCampaignSize(def)).not.toThrow();
  });

  it('one list over its cap is refused with VALIDATION_FAILED naming the list', () => {
    const def = largestCampaign();
    const over = (patch: Partial<CampaignDefinition>) => {
      try {
        checkCampaignSize({ ...def, ...patch });
      } catch (err) {
        return err as { code: string; details: { fields: Array<{ path: string }> } };
      }
      throw new Error('not refused');
    };
    const morePoints = over({ pickupPoints: [...def.pickupPoints, { id: 'p51', name: 'x', address: null }] });
    expect(morePoints.code).toBe('VALIDATION_FAILED');
    expect(morePoints.details.fields[0]!.path).toBe('body.addPickupPoints');
    expect(over({ items: [...def.items, { ...def.items[0]!, id: 'i51' }] }).details.fields[0]!.path).toBe('body.addItems');
    const tooManyTiers = { ...def.items[0]!, tiers: [...def.items[0]!.tiers, { threshold: 10_000_000, unitPrice: 1 }] };
    expect(over({ items: [tooManyTiers] }).code).toBe('VALIDATION_FAILED');
  });
});
