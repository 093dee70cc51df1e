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
import { isConstantKey } from '../constant-keys.js';
import { fromUncompressed, toUncompressed } from '../p256-format.js';

const ZERO_BLOCK = new Uint8Array(16);

/** What the backend uses of `node:crypto`. */
export interface OpenSslApi {
  readonly createCipheriv: typeof CreateCipheriv;
  readonly createECDH: typeof CreateEcdh;
}

/**
 * Working memory, allocated once and zeroed after each use: the key in spec
 * order, the subkeys, the CBC chaining value, and one exact-size buffer per
 * CMAC message length in blocks (every SMP function's message fits in 6). A
 * fresh array per call costs about as much as the AES work itself: one over
 * 64 octets lives off the V8 heap.
 */
const keyScratch = new Uint8Array(16);
const k1Scratch = new Uint8Array(16);
const k2Scratch = new Uint8Array(16);
const chainScratch = new Uint8Array(16);
const blockScratch = Array.from({ length: 6 }, (_, i) => new Uint8Array(16 * (i + 1)));

/** The key in spec order, in the shared scratch; zero it once the cipher holds it. */
function specKey(key: Uint8Array): Uint8Array {
  for (let i = 0; i < 16; i++) keyScratch[i] = key[15 - i]!;
  return keyScratch;
}

/** K1 and K2 (RFC 4493 2.3) from L, into `k1` and `k2`. */
function subkeys(l: Uint8Array, k1: Uint8Array, k2: Uint8Array): void {
  double(l, k1);
  double(k1, k2);
}

/** dbl(x) in GF(2^128) (RFC 4493 2.3): a left shift, with 0x87 folded in when the top bit falls off. */
function double(x: Uint8Array, out: Uint8Array): void {
  const carry = x[0]! >> 7;
  for (let i = 0; i < 15; i++) out[i] = ((x[i]! << 1) | (x[i + 1]! >> 7)) & 0xff;
  out[15] = ((x[15]! << 1) & 0xff) ^ (carry ? 0x87 : 0);
}

/**
 * The message in spec order in a scratch buffer of whole blocks, padded
 * (10...0) when its last block is short. Returns the buffer and whether the
 * last block was complete (subkey K1; else K2).
 */
function specMessage(fields: readonly Uint8Array[]): { message: Uint8Array; complete: boolean } {
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
  return { message, complete };
}

/**
 * AES-CMAC (RFC 4493) on OpenSSL, one CBC context per key: {@link openCmac}
 * encrypts one zero block, which yields L = AES(K, 0) for the subkeys and
 * leaves L as the chaining value; {@link nextCmac} is then one call per
 * message, the plain CBC-MAC with the last block masked by K1 or K2 and the
 * chaining value (L, then the previous message's last block) XORed into the
 * first block, which cancels it; {@link closeCmac} zeroes the working memory.
 * No `final()` is called, so the padding mode is irrelevant.
 */
function openCmac(api: OpenSslApi, key: Uint8Array): Cipher {
  const cipher = api.createCipheriv('aes-128-cbc', specKey(key), ZERO_BLOCK);
  keyScratch.fill(0);
  const l = cipher.update(ZERO_BLOCK);
  subkeys(l, k1Scratch, k2Scratch);
  chainScratch.set(l);
  l.fill(0);
  return cipher;
}

/** The next message's CMAC on a context from {@link openCmac}, in wire order. */
function nextCmac(cipher: Cipher, fields: readonly Uint8Array[]): Uint8Array {
  const { message, complete } = specMessage(fields);
  const subkey = complete ? k1Scratch : k2Scratch;
  const last = message.length - 16;
  for (let i = 0; i < 16; i++) {
    message[i]! ^= chainScratch[i]!;
    message[last + i]! ^= subkey[i]!;
  }
  const out = cipher.update(message);
  const end = out.length - 16;
  const mac = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    chainScratch[i] = out[end + i]!;
    mac[15 - i] = out[end + i]!;
  }
  message.fill(0);
  out.fill(0);
  return mac;
}

function closeCmac(): void {
  k1Scratch.fill(0);
  k2Scratch.fill(0);
  chainScratch.fill(0);
}

/** One AES-CMAC. */
function cmac(api: OpenSslApi, key: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
  if (isConstantKey(key)) return constantKeyCmac(api, key, fields);
  const mac = nextCmac(openCmac(api, key), fields);
  closeCmac();
  return mac;
}

/** AES-CMAC of each message under one key, on one context. */
function cmacs(api: OpenSslApi, key: Uint8Array, messages: readonly (readonly Uint8Array[])[]): Uint8Array[] {
  if (isConstantKey(key)) return messages.map((fields) => constantKeyCmac(api, key, fields));
  const cipher = openCmac(api, key);
  const macs = messages.map((fields) => nextCmac(cipher, fields));
  closeCmac();
  return macs;
}

/** A constant key's kept ECB cipher and its subkeys (public: the key is). */
interface ConstantKeyCipher {
  readonly ecb: Cipher;
  readonly k1: Uint8Array;
  readonly k2: Uint8Array;
}
/** Per `createCipheriv` (one backend each), the kept ciphers of the constant keys it has seen. */
const constantKeyCiphers = new WeakMap<
  OpenSslApi['createCipheriv'],
  WeakMap<Uint8Array, ConstantKeyCipher>
>();

/**
 * AES-CMAC under one of the spec's constant keys ({@link isConstantKey}) on a
 * cipher kept for the key: ECB, one block per call, the CBC chaining done
 * here, so the kept cipher holds no state that depends on a message (a CBC
 * context would hold the last MAC).
 */
function constantKeyCmac(api: OpenSslApi, key: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
  let ciphers = constantKeyCiphers.get(api.createCipheriv);
  if (!ciphers) {
    ciphers = new WeakMap();
    constantKeyCiphers.set(api.createCipheriv, ciphers);
  }
  let kept = ciphers.get(key);
  if (!kept) {
    const ecb = api.createCipheriv('aes-128-ecb', specKey(key), null);
    keyScratch.fill(0);
    const l = ecb.update(ZERO_BLOCK);
    kept = { ecb, k1: new Uint8Array(16), k2: new Uint8Array(16) };
    subkeys(l, kept.k1, kept.k2);
    l.fill(0);
    ciphers.set(key, kept);
  }
  const { message, complete } = specMessage(fields);
  const subkey = complete ? kept.k1 : kept.k2;
  const last = message.length - 16;
  for (let i = 0; i < 16; i++) message[last + i]! ^= subkey[i]!;
  const block = chainScratch; // starts at zero: CBC's IV
  let out: Uint8Array = ZERO_BLOCK;
  for (let offset = 0; offset < message.length; offset += 16) {
    for (let i = 0; i < 16; i++) block[i] = out[i]! ^ message[offset + i]!;
    if (out !== ZERO_BLOCK) out.fill(0);
    out = kept.ecb.update(block);
  }
  const mac = new Uint8Array(16);
  for (let i = 0; i < 16; i++) mac[15 - i] = out[i]!;
  message.fill(0);
  block.fill(0);
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
const made = new WeakMap<OpenSslApi['createECDH'], WeakMap<OpenSslApi['createCipheriv'], CryptoBackend>>();

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
  const known = made.get(api.createECDH)?.get(api.createCipheriv);
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
    cmacs: (key: Uint8Array, messages: readonly (readonly Uint8Array[])[]) => cmacs(api, key, messages),
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
    // computeSecret decodes the point with EC_POINT_oct2point, which refuses a coordinate not below p
    // and a point off the curve (the all-zero "infinity" is off the curve): Node throws for each.
    refusesInvalidPoints: true,
    p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
      return reverse(leftPad32(contextFor(api, privateKey).computeSecret(toUncompressed(peerPublicKey))));
    },
  });
  const byCipher = made.get(api.createECDH) ?? new WeakMap();
  byCipher.set(api.createCipheriv, backend);
  made.set(api.createECDH, byCipher);
  return backend;
}
