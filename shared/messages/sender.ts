import type { WechatServerApi } from '../wechat/index.js';

/** One subscribeMessage.send body (wechat-facts.md §4). */
export interface SubscribeMessage {
  readonly touser: string;
  readonly template_id: string;
  readonly page?: string;
  readonly data: Record<string, { value: string }>;
  readonly miniprogram_state?: 'developer' | 'trial' | 'formal';
  readonly lang?: 'zh_CN';
}

/** Sends one message, or throws the WeChat error (typed, with its errcode). */
export interface SubscribeSender {
  send(message: SubscribeMessage): Promise<void>;
}

/** WeChat's one errcode for "no grant left / refused": nothing is consumed and nothing is retried. */
export const NO_GRANT_ERRCODE = 43101;

/**
 * Through the server-API client: the token and its one refresh on 40001/42001 come from there.
 * Not idempotent (a lost answer may have been a sent message), so the client never repeats it.
 */
export function wechatSubscribeSender(api: WechatServerApi): SubscribeSender {
  return {
    async send(message) {
      await api.post('/cgi-bin/message/subscribe/send', message, { idempotent: false });
    },
  };
}
