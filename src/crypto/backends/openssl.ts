/**
 * The backend on OpenSSL, made from the functions of a `node:crypto` module
 * that the caller passes in: this file imports nothing from Node at run time,
 * so `ble-smp/crypto` can choose it where `node:crypto` exists and load
 * anywhere else.
 * @module
 */
import type { Cipher, createCipheriv as CreateCipheriv, createECDH as CreateEcdh, ECDH } from 'node:crypto';
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
 * order, and one exact-size buffer per CMAC message length in
 * blocks (every SMP function's message fits in 6). A fresh array per call
 * costs about as much as the AES work itself: one over 64 octets lives off
 * the V8 heap.
 */
const keyScratch = new Uint8Array(16);
const blockScratch = Array.from({ length: 6 }, (_, i) => new Uint8Array(16 * (i + 1)));

/** The key in spec order, in the shared scratch; zero it once the cipher holds it. */
function specKey(key: Uint8Array): Uint8Array {
  for (let i = 0; i < 16; i++) keyScratch[i] = key[15 - i]!;
  return keyScratch;
}

/**
 * One AES-128-CBC context of a CMAC key, kept while the caller keeps the key:
 * a pairing uses a few keys more than once (f5's SALT for every pairing, T
 * twice within f5, MacKey for both DHKey checks), and creating a context costs
 * more than the AES work of a CMAC. The subkeys K1, K2 are computed once from
 * L = AES(K, 0). After each MAC the context's chaining value is the last
 * ciphertext block (`chain`): XORing it into the next message's first block
 * cancels it, so each MAC still starts from a zero IV (RFC 4493 2.4).
 */
interface CmacContext {
  readonly cipher: Cipher;
  /** The key's octets, to notice a caller that reused the same array for another key. */
  readonly key: Uint8Array;
  readonly k1: Uint8Array;
  readonly k2: Uint8Array;
  readonly chain: Uint8Array;
}

/** CMAC contexts by key array: an entry lives exactly as long as the caller keeps the key. */
const cmacContexts = new WeakMap<Uint8Array, CmacContext>();

/** dbl() of RFC 4493 2.3: a left shift by one bit, XOR 0x87 when the top bit was set. */
function double(value: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  const carry = value[0]! >> 7;
  for (let i = 0; i < 15; i++) out[i] = ((value[i]! << 1) | (value[i + 1]! >> 7)) & 0xff;
  out[15] = ((value[15]! << 1) & 0xff) ^ (carry ? 0x87 : 0);
  return out;
}

function contextOf(api: OpenSslApi, key: Uint8Array): CmacContext {
  const known = cmacContexts.get(key);
  if (known && equalKey(known.key, key)) return known;
  const cipher = api.createCipheriv('aes-128-cbc', specKey(key), ZERO_BLOCK);
  keyScratch.fill(0);
  // L = AES(K, 0); it is also the chaining value now, cancelled by the first message block.
  const l = cipher.update(ZERO_BLOCK);
  const k1 = double(l);
  const context: CmacContext = {
    cipher,
    key: Uint8Array.from(key),
    k1,
    k2: double(k1),
    chain: Uint8Array.from(l),
  };
  l.fill(0);
  cmacContexts.set(key, context);
  return context;
}

function equalKey(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * AES-CMAC (RFC 4493) as one CBC `update()` on the key's kept context: the
 * message written byte-reversed (SMP order) into a scratch block, its first
 * block XORed with the chaining value, its last block masked by K1 or K2. No
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

  const context = contextOf(api, key);
  // The subkey: K1 for a complete last block, else K2 (RFC 4493 2.4).
  const subkey = complete ? context.k1 : context.k2;
  const last = message.length - 16;
  for (let i = 0; i < 16; i++) {
    message[i]! ^= context.chain[i]!;
    message[last + i]! ^= subkey[i]!;
  }
  const out = context.cipher.update(message);
  const mac = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const octet = out[out.length - 16 + i]!;
    context.chain[i] = octet;
    mac[15 - i] = octet;
  }
  message.fill(0);
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
