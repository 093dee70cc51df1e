/**
 * The pure-JavaScript backend, on @noble/ciphers and @noble/curves. It runs in
 * any JavaScript runtime and is the default where `node:crypto` is absent.
 * @module
 */
import { cmac, ecb } from '@noble/ciphers/aes.js';
import { p256 } from '@noble/curves/nist.js';
import type { CryptoBackend, P256KeyPair } from '../backend.js';
import { reverse } from '../bytes.js';
import { fromUncompressed, toUncompressed } from '../p256-format.js';

/**
 * The pure-JavaScript backend (@noble/ciphers AES and CMAC, @noble/curves P-256).
 * @example
 * ```ts
 * import { nobleBackend, toolbox } from 'ble-smp/crypto';
 * const tb = toolbox(nobleBackend);
 * ```
 */
export const nobleBackend: CryptoBackend = Object.freeze({
  name: 'noble',
  e(key: Uint8Array, block: Uint8Array): Uint8Array {
    return reverse(ecb(reverse(key), { disablePadding: true }).encrypt(reverse(block)));
  },
  cmac(key: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
    const mac = cmac.create(reverse(key));
    for (const field of fields) mac.update(reverse(field));
    return reverse(mac.digest());
  },
  p256GenerateKeyPair(): P256KeyPair {
    const secret = p256.utils.randomSecretKey();
    return { privateKey: reverse(secret), publicKey: fromUncompressed(p256.getPublicKey(secret, false)) };
  },
  p256PublicKey(privateKey: Uint8Array): Uint8Array {
    return fromUncompressed(p256.getPublicKey(reverse(privateKey), false));
  },
  p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    const shared = p256.getSharedSecret(reverse(privateKey), toUncompressed(peerPublicKey), true);
    return reverse(shared.subarray(1));
  },
});
