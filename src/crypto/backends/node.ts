/**
 * The backend on `node:crypto` (OpenSSL): the fastest choice under Node.js.
 * @module
 */
import { createCipheriv, createECDH, type ECDH } from 'node:crypto';
import type { CryptoBackend, P256KeyPair } from '../backend.js';
import { reverse } from '../bytes.js';
import { fromUncompressed, toUncompressed } from '../p256-format.js';

const ZERO_BLOCK = new Uint8Array(16);

/** RFC 4493 2.3: doubling in GF(2^128), for the CMAC subkeys. */
function dbl(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 15; i++) out[i] = ((block[i]! << 1) | (block[i + 1]! >> 7)) & 0xff;
  out[15] = (block[15]! << 1) & 0xff;
  if (block[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

/**
 * AES-CMAC with one OpenSSL cipher context: the first CBC block yields
 * L = AES(K, 0) for the subkeys and leaves L as the chaining value, which the
 * first message block cancels by XOR; the rest is the plain CBC-MAC of
 * RFC 4493 with the last block masked by K1 or K2.
 */
function cmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-cbc', key, ZERO_BLOCK).setAutoPadding(false);
  const l = cipher.update(ZERO_BLOCK);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = new Uint8Array(blocks * 16);
  padded.set(message);
  if (!complete) padded[message.length] = 0x80;
  const k1 = dbl(l);
  const subkey = complete ? k1 : dbl(k1);
  const last = (blocks - 1) * 16;
  for (let i = 0; i < 16; i++) {
    padded[i]! ^= l[i]!;
    padded[last + i]! ^= subkey[i]!;
  }
  const out = cipher.update(padded);
  return new Uint8Array(out.subarray(out.length - 16));
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
    // Copy out of Node's Buffer pool: key material must not share memory with unrelated buffers.
    return new Uint8Array(createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(block));
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
