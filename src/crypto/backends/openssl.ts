/**
 * The backend on OpenSSL, made from the functions of a `node:crypto` module
 * that the caller passes in: this file imports nothing from Node at run time,
 * so `ble-smp/crypto` can choose it where `node:crypto` exists and load
 * anywhere else.
 * @module
 */
import type { createCipheriv as CreateCipheriv, createECDH as CreateEcdh, ECDH } from 'node:crypto';
import type { CryptoBackend, P256KeyPair } from '../backend.js';
import { reverse } from '../bytes.js';
import { fromUncompressed, toUncompressed } from '../p256-format.js';

const ZERO_BLOCK = new Uint8Array(16);

/** What the backend uses of `node:crypto`. */
export interface OpenSslApi {
  readonly createCipheriv: typeof CreateCipheriv;
  readonly createECDH: typeof CreateEcdh;
}

/**
 * Working memory, allocated once and zeroed after each use: the key in spec
 * order, the subkey, and one exact-size buffer per CMAC message length in
 * blocks (every SMP function's message fits in 6). A fresh array per call
 * costs about as much as the AES work itself: one over 64 octets lives off
 * the V8 heap.
 */
const keyScratch = new Uint8Array(16);
const subkeyScratch = new Uint8Array(16);
const blockScratch = Array.from({ length: 6 }, (_, i) => new Uint8Array(16 * (i + 1)));

/** The key in spec order, in the shared scratch; zero it once the cipher holds it. */
function specKey(key: Uint8Array): Uint8Array {
  for (let i = 0; i < 16; i++) keyScratch[i] = key[15 - i]!;
  return keyScratch;
}

/**
 * AES-CMAC (RFC 4493) with one OpenSSL cipher context and two calls: the
 * first CBC block yields L = AES(K, 0) for the subkeys and leaves L as the
 * chaining value, which XOR into the first message block cancels; the second
 * call is then the plain CBC-MAC with the last block masked by K1 or K2. No
 * `final()` is called, so the padding mode is irrelevant.
 */
function cmac(api: OpenSslApi, key: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const field of fields) length += field.length;
  const complete = length > 0 && length % 16 === 0;
  const blocks = complete ? length / 16 : Math.floor(length / 16) + 1;
  const message = blocks <= blockScratch.length ? blockScratch[blocks - 1]! : new Uint8Array(16 * blocks);
  let offset = 0;
  for (const field of fields) {
    for (let i = field.length - 1; i >= 0; i--) message[offset++] = field[i]!;
  }
  if (!complete) message[offset] = 0x80;

  const cipher = api.createCipheriv('aes-128-cbc', specKey(key), ZERO_BLOCK);
  keyScratch.fill(0);
  const l = cipher.update(ZERO_BLOCK);
  // The subkey: K1 = dbl(L) for a complete last block, else K2 = dbl(K1) (RFC 4493 2.3).
  subkeyScratch.set(l);
  for (let doublings = complete ? 1 : 2; doublings > 0; doublings--) {
    const carry = subkeyScratch[0]! >> 7;
    for (let i = 0; i < 15; i++)
      subkeyScratch[i] = ((subkeyScratch[i]! << 1) | (subkeyScratch[i + 1]! >> 7)) & 0xff;
    subkeyScratch[15] = ((subkeyScratch[15]! << 1) & 0xff) ^ (carry ? 0x87 : 0);
  }
  const last = message.length - 16;
  for (let i = 0; i < 16; i++) {
    message[i]! ^= l[i]!;
    message[last + i]! ^= subkeyScratch[i]!;
  }
  const out = cipher.update(message);
  const mac = new Uint8Array(16);
  for (let i = 0; i < 16; i++) mac[i] = out[out.length - 1 - i]!;
  message.fill(0);
  subkeyScratch.fill(0);
  l.fill(0);
  out.fill(0);
  return mac;
}

/** OpenSSL drops leading zero octets of a scalar; SMP values are always 32 octets. */
function leftPad32(bigEndian: Uint8Array): Uint8Array {
  if (bigEndian.length === 32) return bigEndian;
  const out = new Uint8Array(32);
  out.set(bigEndian, 32 - bigEndian.length);
  return out;
}

/**
 * OpenSSL ECDH contexts of the key pairs this backend made or was given, keyed
 * by the private-key array itself, so a context lives exactly as long as the
 * caller keeps the key and ECDH never recomputes the public key.
 */
const contexts = new WeakMap<Uint8Array, ECDH>();

function contextFor(api: OpenSslApi, privateKey: Uint8Array): ECDH {
  let ecdh = contexts.get(privateKey);
  if (!ecdh) {
    ecdh = api.createECDH('prime256v1');
    ecdh.setPrivateKey(reverse(privateKey));
    contexts.set(privateKey, ecdh);
  }
  return ecdh;
}

/** One backend per `node:crypto` module: the same functions give the same backend object. */
const made = new WeakMap<object, CryptoBackend>();

/**
 * The OpenSSL backend on the given `node:crypto` functions (named `node`):
 * AES, CMAC over AES-CBC, and ECDH. The same functions give the same object,
 * so `nodeBackend` and the default chosen under Node are one backend.
 * @example
 * ```ts
 * import * as nodeCrypto from 'node:crypto';
 * const backend = opensslBackend(nodeCrypto); // what ble-smp/crypto/node exports as nodeBackend
 * ```
 */
export function opensslBackend(api: OpenSslApi): CryptoBackend {
  const known = made.get(api.createECDH);
  if (known) return known;
  const backend: CryptoBackend = Object.freeze({
    name: 'node',
    e(key: Uint8Array, block: Uint8Array): Uint8Array {
      const cipher = api.createCipheriv('aes-128-ecb', specKey(key), null);
      keyScratch.fill(0);
      const input = blockScratch[0]!;
      for (let i = 0; i < 16; i++) input[i] = block[15 - i]!;
      const out = cipher.update(input);
      input.fill(0);
      const result = new Uint8Array(16);
      for (let i = 0; i < 16; i++) result[i] = out[15 - i]!;
      out.fill(0);
      return result;
    },
    cmac: (key: Uint8Array, fields: readonly Uint8Array[]) => cmac(api, key, fields),
    p256GenerateKeyPair(): P256KeyPair {
      const ecdh = api.createECDH('prime256v1');
      const publicKey = fromUncompressed(ecdh.generateKeys());
      const privateKey = reverse(leftPad32(ecdh.getPrivateKey()));
      contexts.set(privateKey, ecdh);
      return { privateKey, publicKey };
    },
    p256PublicKey(privateKey: Uint8Array): Uint8Array {
      return fromUncompressed(contextFor(api, privateKey).getPublicKey());
    },
    p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
      return reverse(leftPad32(contextFor(api, privateKey).computeSecret(toUncompressed(peerPublicKey))));
    },
  });
  made.set(api.createECDH, backend);
  return backend;
}
