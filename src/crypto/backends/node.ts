/**
 * The backend on `node:crypto` (OpenSSL): the fastest choice under Node.js.
 * @module
 */
import { createCipheriv, createECDH, type ECDH } from 'node:crypto';
import type { CryptoBackend, P256KeyPair } from '../backend.js';
import { reverse } from '../bytes.js';
import { fromUncompressed, toUncompressed } from '../p256-format.js';

const ZERO_BLOCK = new Uint8Array(16);

/**
 * Working memory for CMAC messages up to 240 octets (every SMP function's):
 * allocated once off the V8 heap, zeroed after each use. A fresh array per
 * call costs about as much as the AES work itself.
 */
const scratch = new Uint8Array(256);

/**
 * AES-CMAC (RFC 4493) with one OpenSSL cipher context and two calls: the
 * first CBC block yields L = AES(K, 0) for the subkeys and leaves L as the
 * chaining value, which XOR into the first message block cancels; the second
 * call is then the plain CBC-MAC with the last block masked by K1 or K2. No
 * `final()` is called, so the padding mode is irrelevant.
 */
function cmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-cbc', key, ZERO_BLOCK);
  const l = new Uint8Array(16);
  l.set(cipher.update(ZERO_BLOCK));
  const length = message.length;
  const complete = length > 0 && length % 16 === 0;
  const blocksLength = complete ? length : (length & ~15) + 16;
  const padded =
    blocksLength <= scratch.length ? scratch.subarray(0, blocksLength) : new Uint8Array(blocksLength);
  padded.set(message);
  if (!complete) padded[length] = 0x80;
  // The subkey: K1 = dbl(L) for a complete last block, else K2 = dbl(K1) (RFC 4493 2.3).
  const subkey = l.slice();
  for (let doublings = complete ? 1 : 2; doublings > 0; doublings--) {
    const carry = subkey[0]! >> 7;
    for (let i = 0; i < 15; i++) subkey[i] = ((subkey[i]! << 1) | (subkey[i + 1]! >> 7)) & 0xff;
    subkey[15] = ((subkey[15]! << 1) & 0xff) ^ (carry ? 0x87 : 0);
  }
  const last = blocksLength - 16;
  for (let i = 0; i < 16; i++) {
    padded[i]! ^= l[i]!;
    padded[last + i]! ^= subkey[i]!;
  }
  const out = cipher.update(padded);
  padded.fill(0);
  const mac = new Uint8Array(16);
  mac.set(out.subarray(blocksLength - 16));
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

function contextFor(privateKey: Uint8Array): ECDH {
  let ecdh = contexts.get(privateKey);
  if (!ecdh) {
    ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(reverse(privateKey));
    contexts.set(privateKey, ecdh);
  }
  return ecdh;
}

/**
 * The `node:crypto` backend (OpenSSL AES, CMAC over AES-CBC, and ECDH).
 * @example
 * ```ts
 * import { nodeBackend, setDefaultBackend } from 'ble-smp/crypto';
 * setDefaultBackend(nodeBackend);
 * ```
 */
export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  aes128(key: Uint8Array, block: Uint8Array): Uint8Array {
    // update() returns a Buffer with a backing store of its own (not Node's pool): no copy needed.
    return createCipheriv('aes-128-ecb', key, null).update(block);
  },
  aesCmac: cmac,
  p256GenerateKeyPair(): P256KeyPair {
    const ecdh = createECDH('prime256v1');
    const publicKey = fromUncompressed(ecdh.generateKeys());
    const privateKey = reverse(leftPad32(ecdh.getPrivateKey()));
    contexts.set(privateKey, ecdh);
    return { privateKey, publicKey };
  },
  p256PublicKey(privateKey: Uint8Array): Uint8Array {
    return fromUncompressed(contextFor(privateKey).getPublicKey());
  },
  p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    return reverse(leftPad32(contextFor(privateKey).computeSecret(toUncompressed(peerPublicKey))));
  },
});
