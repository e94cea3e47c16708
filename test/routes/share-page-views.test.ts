import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/table/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * The share page counts its views (README "Community numbers and member book", `views`): one
 * UpdateItem ADD per published page served, none for a staff preview of a draft, and a count that
 * fails never fails the page.
 */
let h: Harness;
let leader: { token: string; userId: string };

const page = (shareCode: string, token?: string) =>
  h.call('GET', `/s/${shareCode}`, { ...(token ? { token } : {}), headers: { accept: 'text/html' } });
const views = async (campaignId: string) =>
  (await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.campaignNumbers(campaignId), ConsistentRead: true }))).Item
    ?.views as number | undefined;

beforeAll(async () => {
  h = await harness();
  h.clock.set(T0);
  leader = await h.login('spv-leader', '团长');
});

describe('share-page views', () => {
  it('counts each published page once, and never a draft preview', async () => {
    const published = await h.createCampaign(leader.token);
    for (let i = 0; i < 2; i++) expect((await page(published.shareCode)).status).toBe(200);
    expect(await views(published.id)).toBe(2);
    const draft = await h.createCampaign(leader.token, { draft: true, title: '草稿团' });
    expect((await page(draft.shareCode, leader.token)).status).toBe(200);
    expect(await views(draft.id)).toBeUndefined();
  });

  it('a failed count still serves the page', async () => {
    const c = await h.createCampaign(leader.token);
    const name = 'fail-share-view';
    h.db.doc.middlewareStack.add(
      (next, context) => async (args) => {
        // The share view's UpdateItem of the campaign's NUMBERS item (however the SDK names the command).
        const key = JSON.stringify((args.input as { Key?: unknown }).Key ?? null);
        if (String(context.commandName).startsWith('Update') && key.includes('NUMBERS')) throw new Error('throttled');
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const res = await page(c.shareCode);
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('<!DOCTYPE html>');
    } finally {
      h.db.doc.middlewareStack.remove(name);
    }
    expect(await views(c.id)).toBeUndefined();
  });
});
