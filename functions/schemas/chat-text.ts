import { z } from '@hono/zod-openapi';

/** GET /campaigns/{id}/entries/text: the same copy as entries.txt, for a page that shows it with a copy button. */
export const ChatTextSchema = z
  .object({
    text: z.string().openapi({
      description: 'The 接龙 list as leaders paste it into a WeChat group: the title, the tier state, one numbered line per active entry',
      example:
        '周六 阳光玫瑰葡萄 团购\n已接龙 37 份，再 3 份解锁 ¥32.90\n1. 王* 阳光玫瑰 2斤装×2 3号楼门卫室\n2. 李* 阳光玫瑰 2斤装×1 备注: 晚上取\n',
    }),
    lines: z.number().int().openapi({ description: 'numbered entry lines in `text`' }),
    truncated: z.boolean().openapi({ description: 'true: the list was longer than the cap; `text` ends with "…共 N 人"' }),
  })
  .openapi('ChatText');
