import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listViewer, requireCampaign, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { CHAT_TEXT_MAX_LINES, type ChatText, chatText } from '../../shared/domain/index.js';
import { readEntryLines } from '../entry-lines.js';
import type { AppDeps, AppEnv } from '../env.js';
import { ChatTextSchema } from '../schemas/chat-text.js';
import { CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const who =
  'No token needed. The public (and members) get masked nicknames ("王*"); the leader and the campaign\'s helpers, with a token, full ones. ' +
  'Phones are never in it (it is meant for a group chat). Cancelled, expired and unpaid lines are left out, the others keep their numbers. ' +
  `The header is the live tier state ("已接龙 37 份，再 3 份解锁 ¥32.90", "已达最低价 ¥32.90" at the top tier, "已接龙 N 人" when tiers count participants). ` +
  `Past ${CHAT_TEXT_MAX_LINES} lines the rest is left out and a last line "…共 N 人" gives the participant count. A draft is 404 to anyone but its leader and helpers.`;

const textRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries.txt',
  tags: ['接龙 entries'],
  summary: "A leader's copy for the group chat: the numbered 接龙 list as plain text",
  description: who,
  request: { params: CampaignIdParam },
  responses: {
    200: {
      description: 'text/plain; charset=utf-8, one line each, ending in a newline',
      content: { 'text/plain': { schema: ChatTextSchema.shape.text } },
    },
    401: errors[401],
    404: errors[404],
  },
});

const jsonRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/text',
  tags: ['接龙 entries'],
  summary: 'The same copy as entries.txt, as JSON (for a page with a copy button: wx.setClipboardData)',
  description: who,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(ChatTextSchema, 'The copy and how many lines it holds'), 401: errors[401], 404: errors[404] },
});

export function chatTextRoutes(deps: AppDeps) {
  const { db } = deps;

  async function copyFor(c: Context<AppEnv>, id: string): Promise<ChatText> {
    const snapshot = await requireCampaign(db, id);
    const user = c.get('user');
    await requireVisibleCampaign(db, snapshot, user?.id);
    const viewer = await listViewer(db, snapshot.def, user?.id);
    const staff = viewer.kind === 'leader' || viewer.kind === 'helper';
    // Full names must not be kept by a shared cache; the public copy is the same for everyone.
    c.header('Cache-Control', staff ? 'private, no-store' : 'no-cache');
    c.header('Vary', 'Authorization');
    const entries = await readEntryLines(db, id, { consistent: staff, maxActive: CHAT_TEXT_MAX_LINES });
    return chatText({ def: snapshot.def, state: snapshot.state, entries, fullNames: staff });
  }

  return newRouter()
    .openapi(textRoute, async (c) => {
      const copy = await copyFor(c, c.req.valid('param').id);
      return c.text(copy.text, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    })
    .openapi(jsonRoute, async (c) => c.json(await copyFor(c, c.req.valid('param').id), 200));
}
