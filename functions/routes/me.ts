import { createRoute } from '@hono/zod-openapi';
import { getCampaign, listLeaderCampaignIds } from '../../shared/campaigns/index.js';
import { campaignView, entryView } from '../../shared/domain/index.js';
import { listUserEntries } from '../../shared/entries/index.js';
import { toEntry } from '../../shared/table/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { CampaignPage } from '../schemas/campaign.js';
import { bearer, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import { MyEntryPage } from '../schemas/entry.js';
import { newRouter } from '../validation.js';

const myCampaigns = createRoute({
  method: 'get',
  path: '/me/campaigns',
  tags: ['Me'],
  summary: 'Campaigns I lead, newest first',
  security: bearer,
  middleware: [signedIn] as const,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(CampaignPage, 'A page of campaigns'), 400: errors[400], 401: errors[401] },
});

const myEntries = createRoute({
  method: 'get',
  path: '/me/entries',
  tags: ['Me'],
  summary: 'My entries across campaigns, newest first, each with its campaign id and title',
  security: bearer,
  middleware: [signedIn] as const,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(MyEntryPage, 'A page of entries'), 400: errors[400], 401: errors[401] },
});

export function meRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(myCampaigns, async (c) => {
      const user = requireUser(c);
      const { limit, cursor } = c.req.valid('query');
      const page = await listLeaderCampaignIds(db, user.id, limit, cursor);
      const now = db.clock.now();
      const snapshots = await Promise.all(page.items.map((id) => getCampaign(db, id)));
      const campaigns = snapshots.flatMap((s) => (s ? [campaignView(s.def, s.state, now)] : []));
      return c.json({ campaigns, nextCursor: page.nextCursor }, 200);
    })
    .openapi(myEntries, async (c) => {
      const user = requireUser(c);
      const { limit, cursor } = c.req.valid('query');
      const page = await listUserEntries(db, user.id, limit, cursor);
      const entries = page.items.map((r) => ({
        ...entryView(toEntry(r), { kind: 'user', userId: user.id }),
        campaignTitle: r.campaignTitle,
      }));
      return c.json({ entries, nextCursor: page.nextCursor }, 200);
    });
}
