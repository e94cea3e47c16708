import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * PEM → KeyObject, parsed once per distinct PEM: a Lambda signs and verifies with the same two
 * keys for its whole life, and parsing an RSA key on every call is wasted work.
 */
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

export function privateKeyOf(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    privateKeys.set(pem, key);
  }
  return key;
}

export function publicKeyOf(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}
