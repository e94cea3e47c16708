import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptPush } from '../../shared/wechat/fake/index.js';
import { decryptPush, PUSH_MAX_AGE_SECONDS, pushSignature, readPush, verifyPushQuery } from '../../shared/wechat/index.js';

/** 消息推送 as wechat-facts §7 describes it: signature, freshness, plain and 安全 mode, JSON and XML, v2 and v1 verdicts. */
const settings = { token: 'pushToken1', appId: 'wx0123456789abcdef' };
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const NOW = new Date('2026-12-04T08:00:00.000Z');
const ts = String(NOW.getTime() / 1000);

describe('push signatures', () => {
  it('are sha1 of the sorted Token, timestamp and nonce (and Encrypt for msg_signature)', () => {
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    expect(pushSignature('token', '1409659813', 'nonce')).toBe(sha1(['1409659813', 'nonce', 'token'].join('')));
    expect(pushSignature('b', 'c', 'a', 'd')).toBe(sha1('abcd'));
  });

  it('are accepted only when they match and the timestamp is within five minutes', () => {
    const q = (timestamp: string, signature = pushSignature(settings.token, timestamp, 'n')) => ({ signature, timestamp, nonce: 'n' });
    expect(verifyPushQuery(settings, q(ts), NOW)).toBe(true);
    expect(verifyPushQuery(settings, q(String(Number(ts) - PUSH_MAX_AGE_SECONDS)), NOW)).toBe(true);
    expect(verifyPushQuery(settings, q(String(Number(ts) - PUSH_MAX_AGE_SECONDS - 1)), NOW)).toBe(false);
    expect(verifyPushQuery(settings, q(ts, pushSignature('other', ts, 'n')), NOW)).toBe(false);
    expect(verifyPushQuery(settings, q('12abc'), NOW)).toBe(false);
    expect(verifyPushQuery(settings, { timestamp: ts, nonce: 'n' }, NOW)).toBe(false);
  });
});

describe('readPush', () => {
  const query = { signature: 'checked-before', timestamp: ts, nonce: 'n' };
  const v2 = (suggest: string, appid = settings.appId) =>
    JSON.stringify({ MsgType: 'event', Event: 'wxa_media_check', appid, trace_id: 'tr1', version: 2, result: { suggest, label: 100 } });

  it('reads v2 verdicts from JSON and XML', () => {
    expect(readPush(settings, query, v2('pass'), false)).toEqual({
      kind: 'media-check',
      check: { traceId: 'tr1', result: 'pass', label: 100 },
    });
    expect(readPush(settings, query, v2('risky'), false)).toMatchObject({ check: { result: 'risky' } });
    const xml =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[wxa_media_check]]></Event>' +
      `<appid><![CDATA[${settings.appId}]]></appid><trace_id><![CDATA[tr2]]></trace_id><version>2</version>` +
      '<result><suggest><![CDATA[review]]></suggest><label>20002</label></result></xml>';
    expect(readPush(settings, query, xml, true)).toEqual({
      kind: 'media-check',
      check: { traceId: 'tr2', result: 'review', label: 20002 },
    });
  });

  it('reads v1 verdicts: isrisky, and status_code −1008 (WeChat could not download) as failed', () => {
    const v1 = (extra: Record<string, unknown>) =>
      JSON.stringify({ Event: 'wxa_media_check', appid: settings.appId, trace_id: 'tr3', ...extra });
    expect(readPush(settings, query, v1({ isrisky: 1, status_code: 0 }), false)).toMatchObject({ check: { result: 'risky' } });
    expect(readPush(settings, query, v1({ isrisky: 0 }), false)).toMatchObject({ check: { result: 'pass' } });
    expect(readPush(settings, query, v1({ isrisky: 0, status_code: -1008 }), false)).toMatchObject({ check: { result: 'failed' } });
    expect(readPush(settings, query, v1({}), false)).toMatchObject({ kind: 'refused' });
  });

  it('acknowledges other events, refuses another AppID, a verdict without trace id and a body that is not JSON', () => {
    expect(readPush(settings, query, JSON.stringify({ Event: 'user_enter_tempsession' }), false)).toEqual({
      kind: 'other',
      event: 'user_enter_tempsession',
    });
    expect(readPush(settings, query, v2('pass', 'wx_other'), false)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('AppID'),
    });
    expect(readPush(settings, query, JSON.stringify({ Event: 'wxa_media_check', result: { suggest: 'pass' } }), false)).toMatchObject({
      kind: 'refused',
    });
    expect(readPush(settings, query, 'not json', false)).toMatchObject({ kind: 'refused' });
  });

  it('安全 mode: decrypts what WeChat encrypted, checks msg_signature and the AppID inside', () => {
    const secure = { ...settings, encodingAesKey: AES };
    const encrypted = encryptPush(AES, settings.appId, v2('pass'));
    expect(decryptPush(AES, encrypted)).toEqual({ message: v2('pass'), appId: settings.appId });
    const signed = { ...query, encrypt_type: 'aes', msg_signature: pushSignature(settings.token, ts, 'n', encrypted) };
    const body = JSON.stringify({ ToUserName: 'gh_x', Encrypt: encrypted });
    expect(readPush(secure, signed, body, false)).toMatchObject({ kind: 'media-check', check: { result: 'pass' } });
    expect(readPush(secure, { ...signed, msg_signature: 'bad' }, body, false)).toMatchObject({ kind: 'refused' });
    expect(readPush(settings, signed, body, false)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('EncodingAESKey') });
    const foreign = encryptPush(AES, 'wx_other', v2('pass'));
    const foreignQuery = { ...signed, msg_signature: pushSignature(settings.token, ts, 'n', foreign) };
    expect(readPush(secure, foreignQuery, JSON.stringify({ Encrypt: foreign }), false)).toMatchObject({ reason: 'push for another AppID' });
    expect(decryptPush(AES, Buffer.from('x'.repeat(32)).toString('base64'))).toBeNull();
  });
});
