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

export const WechatLoginBody = z
  .object({
    code: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .openapi({ description: 'The code from wx.login (valid 5 minutes, usable once)', example: '0a3Xyz000abcDE1FghIJ2kLm3n4Xyz0W' }),
  })
  .openapi('WechatLoginRequest');

export const RefreshBody = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(4096)
      .openapi({ description: 'The refreshToken of the last login or refresh; each is accepted once' }),
  })
  .openapi('RefreshRequest');

export const TokenResponse = z
  .object({
    accessToken: z.string().openapi({ description: 'Bearer token for every other route' }),
    token: z.string().openapi({ description: 'Same as accessToken (the field dev-login clients read)' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until accessToken expires', example: 7200 }),
    refreshToken: z.string().openapi({ description: 'Send to POST /auth/refresh for new tokens; replaced by each refresh' }),
    refreshExpiresIn: z.number().int().openapi({ description: 'Seconds until refreshToken expires', example: 2592000 }),
    user: z.object({ id: z.string(), nickname: z.string() }),
  })
  .openapi('TokenResponse');
