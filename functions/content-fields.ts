import type { z } from '@hono/zod-openapi';
import { CONTENT_SCENES, type ContentField } from '../shared/wechat/index.js';
import type { CreateCampaignBody, EditCampaignBody } from './schemas/campaign.js';

/**
 * The texts of a leader's post that members will see, for content security, named by their path in
 * the request (what a 422 CONTENT_REJECTED's `details.field` says). A campaign is a post to a
 * group: scene 3 (论坛) for all of its texts.
 */
type ItemText = { name: string; spec?: string | null | undefined };
type PointText = { name: string; address?: string | null | undefined };

const post = (field: string, text: string | null | undefined): ContentField => ({ field, text, scene: CONTENT_SCENES.forum });

function itemFields(list: string, items: readonly ItemText[] | undefined): ContentField[] {
  return (items ?? []).flatMap((item, i) => [post(`body.${list}[${i}].name`, item.name), post(`body.${list}[${i}].spec`, item.spec)]);
}

function pointFields(list: string, points: readonly PointText[] | undefined): ContentField[] {
  return (points ?? []).flatMap((p, i) => [post(`body.${list}[${i}].name`, p.name), post(`body.${list}[${i}].address`, p.address)]);
}

export function campaignCreateFields(body: z.infer<typeof CreateCampaignBody>): ContentField[] {
  return [
    post('body.title', body.title),
    post('body.description', body.description),
    ...itemFields('items', body.items),
    ...pointFields('pickupPoints', body.pickupPoints),
  ];
}

export function campaignEditFields(body: z.infer<typeof EditCampaignBody>): ContentField[] {
  return [
    post('body.title', body.title),
    post('body.description', body.description),
    ...itemFields('addItems', body.addItems),
    ...pointFields('addPickupPoints', body.addPickupPoints),
  ];
}

/** `body.items[0].name` → `items[0].name`: how the campaign's contentReview names its own texts. */
export const withoutBody = (path: string) => path.replace(/^body\./, '');
