import { z } from '@hono/zod-openapi';

export const DevLoginBody = z
  .object({
    openid: z.string().trim().min(1).max(128).openapi({ example: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' }),
    nickname: z.string().trim().min(1).max(64).openapi({ example: '王小明' }),
  })
  .openapi('DevLoginRequest');

export const LoginResponse = z
  .object({ token: z.string(), user: z.object({ id: z.string(), nickname: z.string() }) })
  .openapi('LoginResponse');
