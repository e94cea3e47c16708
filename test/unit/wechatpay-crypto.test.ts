import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptResource, encryptResource } from '../../shared/money/wechatpay/decrypt.js';
import { WechatPayDecryptError, WechatPaySignatureError } from '../../shared/money/wechatpay/errors.js';
import { authorizationHeader, jsapiPayParams, newNonce } from '../../shared/money/wechatpay/signing.js';
import { toWechatTime } from '../../shared/money/wechatpay/time.js';
import { verifyWechatpaySignature, wechatpayHeaders } from '../../shared/money/wechatpay/verify.js';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki') => String(k.export({ format: 'pem', type }));

const cfg = {
  mchId: '1900000109',
  appId: 'wxd678efh567hg6787',
  mchSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  mchPrivateKeyPem: pem(merchant.privateKey, 'pkcs8'),
  platformPublicKeyPem: pem(platform.publicKey, 'spki'),
  platformSerial: 'PUB_KEY_ID_0119000001092025000000000001',
};
const API_V3_KEY = '0123456789abcdef0123456789abcdef';

const verifies = (message: string, signatureB64: string, key = merchant.publicKey) =>
  verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signatureB64, 'base64'));

describe('authorizationHeader', () => {
  it('has the documented shape and signs METHOD\\npath\\nts\\nnonce\\nbody\\n with the merchant key', () => {
    const body = '{"mchid":"1900000109"}';
    const header = authorizationHeader(cfg, 'post', '/v3/pay/transactions/out-trade-no/T123456/close', body, 'NONCE123', 1700000000);
    const m = header.match(
      /^WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="(\w+)",signature="([A-Za-z0-9+/=]+)",timestamp="(\d+)",serial_no="(\w+)"$/,
    );
    expect(m).not.toBeNull();
    expect(m!.slice(1, 3)).toEqual([cfg.mchId, 'NONCE123']);
    expect(m![4]).toBe('1700000000');
    expect(m![5]).toBe(cfg.mchSerialNo);
    expect(verifies(`POST\n/v3/pay/transactions/out-trade-no/T123456/close\n1700000000\nNONCE123\n${body}\n`, m![3]!)).toBe(true);
    // a different path must not verify with the same signature
    expect(verifies(`POST\n/v3/pay/transactions/out-trade-no/T999999/close\n1700000000\nNONCE123\n${body}\n`, m![3]!)).toBe(false);
  });

  it('a GET signs an empty body and the query string', () => {
    const header = authorizationHeader(cfg, 'GET', '/v3/pay/transactions/out-trade-no/T1?mchid=1900000109', '', 'n', 1);
    const signature = header.match(/signature="([^"]+)"/)![1]!;
    expect(verifies('GET\n/v3/pay/transactions/out-trade-no/T1?mchid=1900000109\n1\nn\n\n', signature)).toBe(true);
  });

  it('makes a fresh 32-character nonce and the current time by default', () => {
    const a = authorizationHeader(cfg, 'GET', '/x', '');
    const b = authorizationHeader(cfg, 'GET', '/x', '');
    const nonceA = a.match(/nonce_str="([^"]+)"/)![1]!;
    expect(nonceA).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(nonceA).not.toBe(b.match(/nonce_str="([^"]+)"/)![1]);
    expect(Math.abs(Number(a.match(/timestamp="(\d+)"/)![1]) - Date.now() / 1000)).toBeLessThan(5);
    expect(newNonce()).toHaveLength(32);
  });
});

describe('jsapiPayParams', () => {
  it('gives wx.requestPayment its fields, paySign verifying with the merchant public key', () => {
    const p = jsapiPayParams(cfg, 'wx201410272009395522657a690389285100', 'abc123', 1414561699);
    expect(p).toMatchObject({
      appId: cfg.appId,
      timeStamp: '1414561699',
      nonceStr: 'abc123',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    });
    expect(verifies(`${cfg.appId}\n1414561699\nabc123\nprepay_id=wx201410272009395522657a690389285100\n`, p.paySign)).toBe(true);
    expect(verifies(`${cfg.appId}\n1414561699\nabc123\nprepay_id=wx_other\n`, p.paySign)).toBe(false);
  });
});

describe('verifyWechatpaySignature', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
  const signed = (o: { ts?: number; nonce?: string; body?: string; key?: typeof platform.privateKey; serial?: string } = {}) => {
    const t = String(o.ts ?? ts);
    const nonce = o.nonce ?? 'fdasflkja484w';
    return {
      timestamp: t,
      nonce,
      serial: o.serial ?? cfg.platformSerial,
      signature: sign('sha256', Buffer.from(`${t}\n${nonce}\n${o.body ?? body}\n`), o.key ?? platform.privateKey).toString('base64'),
    };
  };

  it('accepts what the platform key signed, within 5 minutes either way', () => {
    expect(() => verifyWechatpaySignature(cfg, signed(), body, now)).not.toThrow();
    expect(() => verifyWechatpaySignature(cfg, signed({ ts: ts - 300 }), body, now)).not.toThrow();
    expect(() => verifyWechatpaySignature(cfg, signed({ ts: ts + 300 }), body, now)).not.toThrow();
  });

  it.each([
    { name: 'missing signature', headers: () => ({ ...signed(), signature: undefined }), message: /required/ },
    { name: 'missing serial', headers: () => ({ ...signed(), serial: undefined }), message: /required/ },
    { name: 'missing timestamp', headers: () => ({ ...signed(), timestamp: undefined }), message: /required/ },
    { name: 'missing nonce', headers: () => ({ ...signed(), nonce: undefined }), message: /required/ },
    { name: 'unknown serial', headers: () => signed({ serial: 'PUB_KEY_ID_OTHER' }), message: /unknown Wechatpay-Serial/ },
    { name: 'stale (301 s old)', headers: () => signed({ ts: ts - 301 }), message: /300 s/ },
    { name: 'from the future (301 s)', headers: () => signed({ ts: ts + 301 }), message: /300 s/ },
    { name: 'non-numeric timestamp', headers: () => ({ ...signed(), timestamp: '12e9' }), message: /Unix time/ },
    { name: 'signed by another key', headers: () => signed({ key: other.privateKey }), message: /does not verify/ },
    { name: 'signature of another body', headers: () => signed({ body: body.replace('SUCCESS', 'REFUND') }), message: /does not verify/ },
    { name: 'another nonce', headers: () => ({ ...signed(), nonce: 'other' }), message: /does not verify/ },
    {
      name: 'a WECHATPAY/SIGNTEST probe',
      headers: () => ({ ...signed(), signature: `WECHATPAY/SIGNTEST/${signed().signature}` }),
      message: /does not verify/,
    },
    { name: 'garbage signature', headers: () => ({ ...signed(), signature: '!!!' }), message: /does not verify/ },
  ])('refuses $name with 401 INVALID_SIGNATURE', ({ headers, message }) => {
    const err = (() => {
      try {
        verifyWechatpaySignature(cfg, headers(), body, now);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(WechatPaySignatureError);
    expect(err).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE', message: expect.stringMatching(message) });
  });

  it('a custom window', () => {
    expect(() => verifyWechatpaySignature(cfg, signed({ ts: ts - 61 }), body, now, 60)).toThrow(WechatPaySignatureError);
  });

  it('reads the headers from fetch Headers and from records in any letter case', () => {
    const h = signed();
    const record = {
      'Wechatpay-Timestamp': h.timestamp,
      'WECHATPAY-NONCE': h.nonce,
      'wechatpay-signature': h.signature,
      'Wechatpay-Serial': h.serial,
    };
    expect(wechatpayHeaders(record)).toEqual(h);
    expect(wechatpayHeaders(new Headers(record))).toEqual(h);
  });
});

describe('decryptResource / encryptResource (AEAD_AES_256_GCM)', () => {
  const plaintext = JSON.stringify({ out_trade_no: 'T1234567', trade_state: 'SUCCESS', note: '阳光玫瑰' });

  it('round-trips, the ciphertext ending with a 16-byte tag', () => {
    const r = encryptResource(API_V3_KEY, plaintext, 'transaction', 'abcdefghijkl');
    expect(r).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction', nonce: 'abcdefghijkl' });
    expect(Buffer.from(r.ciphertext, 'base64').length).toBe(Buffer.byteLength(plaintext) + 16);
    expect(decryptResource(API_V3_KEY, r)).toBe(plaintext);
    expect(encryptResource(API_V3_KEY, plaintext, 'transaction').nonce).toHaveLength(12);
  });

  it('decrypts a vector made independently with the same construction', async () => {
    const { createCipheriv } = await import('node:crypto');
    const c = createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from('0123456789ab'));
    c.setAAD(Buffer.from('certificate'));
    const ct = Buffer.concat([c.update('hello 微信支付', 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
    expect(
      decryptResource(API_V3_KEY, { algorithm: 'AEAD_AES_256_GCM', ciphertext: ct, associated_data: 'certificate', nonce: '0123456789ab' }),
    ).toBe('hello 微信支付');
  });

  const base = () => encryptResource(API_V3_KEY, plaintext, 'transaction', 'abcdefghijkl');
  const flip = (b64: string, at: number) => {
    const buf = Buffer.from(b64, 'base64');
    buf[at] = buf[at]! ^ 1;
    return buf.toString('base64');
  };
  it.each([
    { name: 'a flipped ciphertext byte', tamper: (r: ReturnType<typeof base>) => ({ ...r, ciphertext: flip(r.ciphertext, 3) }) },
    {
      name: 'a flipped tag byte',
      tamper: (r: ReturnType<typeof base>) => ({ ...r, ciphertext: flip(r.ciphertext, Buffer.from(r.ciphertext, 'base64').length - 1) }),
    },
    { name: 'other associated_data', tamper: (r: ReturnType<typeof base>) => ({ ...r, associated_data: 'refund' }) },
    { name: 'no associated_data', tamper: (r: ReturnType<typeof base>) => ({ ...r, associated_data: undefined }) },
    { name: 'another nonce', tamper: (r: ReturnType<typeof base>) => ({ ...r, nonce: 'abcdefghijkm' }) },
    {
      name: 'a truncated ciphertext',
      tamper: (r: ReturnType<typeof base>) => ({
        ...r,
        ciphertext: Buffer.from(r.ciphertext, 'base64').subarray(0, 10).toString('base64'),
      }),
    },
    { name: 'another algorithm', tamper: (r: ReturnType<typeof base>) => ({ ...r, algorithm: 'AEAD_AES_128_GCM' }) },
  ])('refuses $name', ({ tamper }) => {
    expect(() => decryptResource(API_V3_KEY, tamper(base()))).toThrow(WechatPayDecryptError);
  });

  it('refuses the wrong key, and never returns partial plaintext', () => {
    const err = (() => {
      try {
        decryptResource('ffffffffffffffffffffffffffffffff', base());
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(WechatPayDecryptError);
    expect(err!.message).not.toContain('T1234567');
    expect(() => decryptResource('short', base())).toThrow(WechatPayDecryptError);
  });
});

describe('toWechatTime', () => {
  it('writes RFC 3339 to the second in Beijing time', () => {
    expect(toWechatTime(new Date('2026-12-03T12:00:00.789Z'))).toBe('2026-12-03T20:00:00+08:00');
    expect(toWechatTime(new Date('2026-12-31T16:30:05Z'))).toBe('2027-01-01T00:30:05+08:00');
    expect(new Date(toWechatTime(new Date('2026-12-03T12:00:00Z'))).toISOString()).toBe('2026-12-03T12:00:00.000Z');
  });
});
