import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { operationIdFor } from '../../functions/operation-ids.js';
import { harness } from '../helpers/harness.js';

describe('operationIds', () => {
  it('are the method and the path in camel case, parameters as By<Name>', () => {
    expect(operationIdFor('post', '/campaigns/{id}/entries')).toBe('postCampaignsByIdEntries');
    expect(operationIdFor('get', '/campaigns/{id}/settlement.csv')).toBe('getCampaignsByIdSettlementCsv');
    expect(operationIdFor('delete', '/campaigns/{id}/images/{imageId}')).toBe('deleteCampaignsByIdImagesByImageId');
    expect(operationIdFor('post', '/campaigns/{id}/content-review/acknowledge')).toBe('postCampaignsByIdContentReviewAcknowledge');
  });

  it('every operation of the served document has one, unique, PATCH twins included, the same in every app built', async () => {
    const h = await harness({ images: {} });
    const read = async (app: { request: (p: string) => Response | Promise<Response> }) =>
      (await (await app.request('/openapi.json')).json()) as any;
    const doc = await read(h.app);
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toBe(operationIdFor(method, path));
        ids.push(op.operationId!);
      }
    }
    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('patchCampaignsById');
    expect(ids).toContain('putCampaignsById');
    expect(ids).toContain('postCampaignsById');
    // A second app in the same process (shared route constants) documents the same ids.
    const again = await read(createApp(h.deps));
    expect(JSON.stringify(again.paths)).toBe(JSON.stringify(doc.paths));
  });
});
