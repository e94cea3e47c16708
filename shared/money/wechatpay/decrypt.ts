import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WechatPayDecryptError } from './errors.js';

/** The encrypted part of a notification (and of the platform-certificate download). */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

export const RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM';
const TAG_BYTES = 16;

function keyOf(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new WechatPayDecryptError('The APIv3 key must be 32 bytes');
  return key;
}

/**
 * AEAD_AES_256_GCM with the APIv3 key: the nonce (12 ASCII characters) is the IV, associated_data
 * the AAD, and the base64 ciphertext ends with the 16-byte tag. Any change to the ciphertext,
 * nonce or associated data fails authentication: WechatPayDecryptError, nothing partial returned.
 */
export function decryptResource(apiV3Key: string, resource: EncryptedResource): string {
  if (resource.algorithm !== RESOURCE_ALGORITHM)
    throw new WechatPayDecryptError(`Unsupported algorithm ${resource.algorithm.slice(0, 40)}`);
  const key = keyOf(apiV3Key);
  const data = Buffer.from(resource.ciphertext, 'base64');
  const iv = Buffer.from(resource.nonce, 'utf8');
  if (data.length <= TAG_BYTES || iv.length === 0) throw new WechatPayDecryptError('The encrypted resource is too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new WechatPayDecryptError('The encrypted resource failed authentication');
  }
}

/** The inverse of decryptResource, as WeChat Pay does it; the fake uses it to build notifications. */
export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
  nonce: string = randomBytes(9).toString('base64url').slice(0, 12),
): { algorithm: typeof RESOURCE_ALGORITHM; ciphertext: string; associated_data: string; nonce: string } {
  const cipher = createCipheriv('aes-256-gcm', keyOf(apiV3Key), Buffer.from(nonce, 'utf8'), { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return { algorithm: RESOURCE_ALGORITHM, ciphertext, associated_data: associatedData, nonce };
}
