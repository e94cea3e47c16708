import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config.js';
import { loadWechatPayConfig, WECHATPAY_API_BASE, wechatPayConfigFromSecret } from '../../shared/money/wechatpay/config.js';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = merchant.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const PUBLIC = platform.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const V3KEY = 'abcdefghijklmnopqrstuvwxyz012345';

/** A self-signed stand-in for a WeChat Pay platform certificate (public material only), serial below. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDQzCCAiugAwIBAgIUUVfwnv3Alt4V6+gaRwV6cjLxuOIwDQYJKoZIhvcNAQEL
BQAwMTEgMB4GA1UEAwwXVGVucGF5LmNvbSBSb290IENBIHRlc3QxDTALBgNVBAoM
BGZha2UwHhcNMjYxMjAyMTQ0NjQyWhcNMzYxMTI5MTQ0NjQyWjAxMSAwHgYDVQQD
DBdUZW5wYXkuY29tIFJvb3QgQ0EgdGVzdDENMAsGA1UECgwEZmFrZTCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBAKtWrMz5GjH0HRHSXSFb7YwVzsWdeptM
aiLVuvNpF8EU6M+sapBfo5rieaw+WFG59DKYejwMY9jFiC1HlOK3ZL1TcubXFt6e
WM1RW7oUgvy8/T0HVh2VDEL2PlxcJNPJg6aBFSYijXAgUGMDMAD2P++fTtYt0Z/J
NGfaGc6JpAzQmTedyD7MzNchCPgVKzfKRjGdlB0s/hPdnHfRh83RdMs/CmdG2dJF
kBUTBKOj/f/LXuM3chPBattzB9buNuxtVOky8p6Gs7TQXLN4Szu2fJzDnQE4zQVs
cyjckFL+RzFqMejIISazxMDPfhmN6+fm8feqwoI7uTabC33oJP9xCP8CAwEAAaNT
MFEwHQYDVR0OBBYEFI46qgepmF8Z0qLBGtT3kfJTn8Q0MB8GA1UdIwQYMBaAFI46
qgepmF8Z0qLBGtT3kfJTn8Q0MA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQEL
BQADggEBADl99z7QZ9XHmFLOVHoPbAyCSwtMHdKPXatdpTVhr4QMd6tgFoZQWYL9
rlEhun8i4oVDViG71iXIw+X8735r+mVtTLT5tJyPdLijIiBoz4ZXKzY18m0Oig9n
vI010meNE11Bx56/oJp+k9vYHBJkHlDaGIk0+/l4naylLP7F45clEWavONlDuAW7
xs04ZQB/YA3x3djwiBLkAJg07NeIl9vb68fpPdEXrebfEALv5nIZsG2ucbn4cxyw
kSVJK97DkAEPCFWBdXkcNkBfjX0ceUjqSnYJIxp9VYRYFpOBFljOAlZzGQHyV6Xs
OVjdDbSZmKR20rxBsuelDNPA+/FNGc0=
-----END CERTIFICATE-----
`;
const CERTIFICATE_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E2';
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const OTHER_PUBLIC = other.publicKey.export({ format: 'pem', type: 'spki' }) as string;

const fullEnv = (): Record<string, string | undefined> => ({
  WECHATPAY_MCH_ID: '1900000109',
  WECHATPAY_APP_ID: 'wxd678efh567hg6787',
  WECHATPAY_MCH_SERIAL_NO: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_MCH_PRIVATE_KEY: PRIVATE,
  WECHATPAY_API_V3_KEY: V3KEY,
  WECHATPAY_PLATFORM_PUBLIC_KEY: PUBLIC,
  WECHATPAY_PLATFORM_SERIAL: 'PUB_KEY_ID_0119000001092025000000000001',
  WECHATPAY_NOTIFY_URL: 'https://api.example.com/payments/wechat/notify',
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('loadWechatPayConfig', () => {
  it('null when no WECHATPAY_* variable is set (payments off); API_BASE alone does not turn them on', () => {
    expect(loadWechatPayConfig({})).toBeNull();
    expect(loadWechatPayConfig({ WECHATPAY_API_BASE: 'https://api.mch.weixin.qq.com', OTHER: 'x' })).toBeNull();
    expect(loadWechatPayConfig({ WECHATPAY_MCH_ID: '  ' })).toBeNull();
  });

  it('the full config, with the real API base by default', () => {
    const cfg = loadWechatPayConfig(fullEnv());
    expect(cfg).toMatchObject({
      mchId: '1900000109',
      appId: 'wxd678efh567hg6787',
      apiBase: WECHATPAY_API_BASE,
      apiV3Key: V3KEY,
      notifyUrl: 'https://api.example.com/payments/wechat/notify',
    });
    expect(cfg!.mchPrivateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(loadWechatPayConfig({ ...fullEnv(), WECHATPAY_API_BASE: 'http://127.0.0.1:9999' })!.apiBase).toBe('http://127.0.0.1:9999');
  });

  it('accepts PEMs with literal \\n escapes, as env files and consoles store them', () => {
    const cfg = loadWechatPayConfig({ ...fullEnv(), WECHATPAY_MCH_PRIVATE_KEY: PRIVATE.trim().replace(/\n/g, '\\n') });
    expect(cfg!.mchPrivateKeyPem).toBe(PRIVATE);
  });

  it.each(['WECHATPAY_MCH_ID', 'WECHATPAY_API_V3_KEY', 'WECHATPAY_PLATFORM_SERIAL', 'WECHATPAY_NOTIFY_URL', 'WECHATPAY_MCH_PRIVATE_KEY'])(
    'only some set: fails naming the missing %s',
    (key) => {
      const env = fullEnv();
      delete env[key];
      const err = errorOf(() => loadWechatPayConfig(env));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toContain(key);
      expect(err.message.match(/WECHATPAY_\w+/g)).toEqual([key]);
    },
  );

  it.each([
    { key: 'WECHATPAY_API_V3_KEY', value: 'too-short' },
    { key: 'WECHATPAY_MCH_PRIVATE_KEY', value: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' },
    { key: 'WECHATPAY_PLATFORM_PUBLIC_KEY', value: 'secret-looking-garbage' },
    { key: 'WECHATPAY_NOTIFY_URL', value: 'http://api.example.com/payments/wechat/notify' },
    { key: 'WECHATPAY_NOTIFY_URL', value: '/payments/wechat/notify' },
    { key: 'WECHATPAY_MCH_ID', value: 'abc' },
    { key: 'WECHATPAY_API_BASE', value: 'ftp://x' },
  ])('a bad $key fails by name without echoing the value', ({ key, value }) => {
    const err = errorOf(() => loadWechatPayConfig({ ...fullEnv(), [key]: value }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(key);
    expect(err.message).not.toContain(value);
  });

  it('allows an http notify URL on localhost (a dev server with the fake)', () => {
    expect(loadWechatPayConfig({ ...fullEnv(), WECHATPAY_NOTIFY_URL: 'http://localhost:3000/payments/wechat/notify' })!.notifyUrl).toBe(
      'http://localhost:3000/payments/wechat/notify',
    );
  });
});

describe('several platform keys (a migration between platform certificates and the WeChat Pay public key)', () => {
  const keysJson = (keys: unknown) => JSON.stringify(keys);

  it('without WECHATPAY_PLATFORM_KEYS the single key is the whole set, as before', () => {
    const cfg = loadWechatPayConfig(fullEnv())!;
    expect(cfg.platformKeys).toBeUndefined();
    expect(cfg.platformSerial).toBe('PUB_KEY_ID_0119000001092025000000000001');
  });

  it('WECHATPAY_PLATFORM_KEYS adds keys by serial: a certificate (PEM) and another public key', () => {
    const cfg = loadWechatPayConfig({
      ...fullEnv(),
      WECHATPAY_PLATFORM_KEYS: keysJson([
        { serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE },
        { serial: 'PUB_KEY_ID_0119000001092025000000000002', publicKeyPem: OTHER_PUBLIC.replace(/\n/g, '\\n') },
      ]),
    })!;
    expect(cfg.platformKeys).toEqual([
      { serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE },
      { serial: 'PUB_KEY_ID_0119000001092025000000000002', publicKeyPem: OTHER_PUBLIC },
    ]);
  });

  it('a platform certificate may also be the main key, with its own serial', () => {
    const cfg = loadWechatPayConfig({
      ...fullEnv(),
      WECHATPAY_PLATFORM_PUBLIC_KEY: CERTIFICATE,
      WECHATPAY_PLATFORM_SERIAL: CERTIFICATE_SERIAL,
    });
    expect(cfg!.platformPublicKeyPem).toBe(CERTIFICATE);
  });

  it.each([
    { name: 'not JSON', value: '[{"serial": "PUB_KEY_ID_1", oops' },
    { name: 'not an array', value: keysJson({ serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE }) },
    { name: 'a key that is not a PEM', value: keysJson([{ serial: 'PUB_KEY_ID_2', publicKeyPem: 'not-a-key' }]) },
    { name: 'a serial with spaces', value: keysJson([{ serial: 'PUB KEY', publicKeyPem: OTHER_PUBLIC }]) },
    { name: 'a certificate under another serial than its own', value: keysJson([{ serial: 'ABCDEF0123', publicKeyPem: CERTIFICATE }]) },
    { name: 'the main serial again', value: keysJson([{ serial: 'PUB_KEY_ID_0119000001092025000000000001', publicKeyPem: OTHER_PUBLIC }]) },
    {
      name: 'one serial twice (letter case aside)',
      value: keysJson([
        { serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE },
        { serial: CERTIFICATE_SERIAL.toLowerCase(), publicKeyPem: CERTIFICATE },
      ]),
    },
  ])('WECHATPAY_PLATFORM_KEYS $name fails by name', ({ value }) => {
    const err = errorOf(() => loadWechatPayConfig({ ...fullEnv(), WECHATPAY_PLATFORM_KEYS: value }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('WECHATPAY_PLATFORM_KEYS');
    expect(err.message).not.toContain('BEGIN');
  });

  it('a certificate as the main key under another serial fails', () => {
    const err = errorOf(() => loadWechatPayConfig({ ...fullEnv(), WECHATPAY_PLATFORM_PUBLIC_KEY: CERTIFICATE }));
    expect(err.message).toContain('WECHATPAY_PLATFORM_SERIAL');
  });

  it('WECHATPAY_PLATFORM_KEYS alone is a half configuration: the missing variables are named', () => {
    const err = errorOf(() => loadWechatPayConfig({ WECHATPAY_PLATFORM_KEYS: keysJson([]) }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('WECHATPAY_MCH_ID');
  });

  it('the deployed secret takes platformKeys too', () => {
    const secret = {
      mchId: '1900000109',
      appId: 'wxd678efh567hg6787',
      mchSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      mchPrivateKeyPem: PRIVATE,
      apiV3Key: V3KEY,
      platformPublicKeyPem: PUBLIC,
      platformSerial: 'PUB_KEY_ID_0119000001092025000000000001',
      platformKeys: [{ serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE.replace(/\n/g, '\\n') }],
    };
    const env = { WECHATPAY_NOTIFY_URL: 'https://api.example.com/payments/wechat/notify' };
    expect(wechatPayConfigFromSecret(JSON.stringify(secret), env).platformKeys).toEqual([
      { serial: CERTIFICATE_SERIAL, publicKeyPem: CERTIFICATE },
    ]);
    const bad = { ...secret, platformKeys: [{ serial: 'PUB_KEY_ID_9', publicKeyPem: 'x' }] };
    expect(errorOf(() => wechatPayConfigFromSecret(JSON.stringify(bad), env)).message).toContain('secret.platformKeys');
    const twice = { ...secret, platformKeys: [{ serial: secret.platformSerial, publicKeyPem: OTHER_PUBLIC }] };
    expect(errorOf(() => wechatPayConfigFromSecret(JSON.stringify(twice), env)).message).toContain('secret.platformKeys');
  });
});

describe('wechatPayConfigFromSecret', () => {
  const secret = () => ({
    mchId: '1900000109',
    appId: 'wxd678efh567hg6787',
    mchSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    mchPrivateKeyPem: PRIVATE.replace(/\n/g, '\\n'),
    apiV3Key: V3KEY,
    platformPublicKeyPem: PUBLIC,
    platformSerial: 'PUB_KEY_ID_0119000001092025000000000001',
  });
  const env = { WECHATPAY_NOTIFY_URL: 'https://api.example.com/payments/wechat/notify' };

  it('merges the JSON secret with apiBase and notifyUrl from the environment', () => {
    const cfg = wechatPayConfigFromSecret(JSON.stringify(secret()), { ...env, WECHATPAY_API_BASE: 'https://api2.mch.weixin.qq.com' });
    expect(cfg).toMatchObject({
      mchId: '1900000109',
      apiBase: 'https://api2.mch.weixin.qq.com',
      notifyUrl: env.WECHATPAY_NOTIFY_URL,
      mchPrivateKeyPem: PRIVATE,
    });
    expect(wechatPayConfigFromSecret(JSON.stringify(secret()), env).apiBase).toBe(WECHATPAY_API_BASE);
  });

  it('names a missing secret field and never echoes the secret', () => {
    const { apiV3Key: _omit, ...rest } = secret();
    const err = errorOf(() => wechatPayConfigFromSecret(JSON.stringify(rest), env));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('secret.apiV3Key');
    expect(err.message).not.toContain('PRIVATE KEY');
  });

  it('a secret that is not JSON says so without quoting it', () => {
    const err = errorOf(() => wechatPayConfigFromSecret(`{"apiV3Key": "${V3KEY}", oops`, env));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).not.toContain(V3KEY);
  });

  it('WECHATPAY_NOTIFY_URL is required beside the secret', () => {
    const err = errorOf(() => wechatPayConfigFromSecret(JSON.stringify(secret()), {}));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('WECHATPAY_NOTIFY_URL');
  });
});
