/**
 * `ble-smp/crypto`: the LE Security Manager crypto toolbox (Core Vol 3 Part H
 * 2.2) in wire order. The default backend is `node:crypto` (OpenSSL) where
 * the runtime has it (Node.js), else the pure-JavaScript `nobleBackend`;
 * `setDefaultBackend` or a backend argument chooses either explicitly. The
 * `node:crypto` backend by name is at `ble-smp/crypto/node`.
 *
 * @example
 * ```ts
 * import { f5, fromHex } from 'ble-smp/crypto';
 * const { macKey, ltk } = f5(dhkey, na, nb, a, b);
 * ```
 * @module
 */
export { aesCmac, e } from './aes.js';
export type { CryptoBackend, P256KeyPair } from './backend.js';
export { nobleBackend } from './backends/noble.js';
export { concat, equalBytes, fromHex, reverse, toHex, xor } from './bytes.js';
export { defaultBackend, setDefaultBackend } from './default-backend.js';
export { CryptoInputError, InvalidPublicKeyError, type InvalidPublicKeyReason } from './errors.js';
export { h6, h7, h8, keyId, linkKeyToLtk, ltkToLinkKey } from './key-conversion.js';
export { maskKey } from './key-size.js';
export { ah, c1, s1 } from './legacy.js';
export {
  DEBUG_PRIVATE_KEY,
  DEBUG_PUBLIC_KEY,
  derivePublicKey,
  dhKey,
  generateKeyPair,
  isDebugPublicKey,
  isValidPublicKey,
  validatePublicKey,
} from './p256.js';
export { type RandomSource, randomBytes } from './random.js';
export {
  type DhKeyChecks,
  dhKeyChecks,
  type F5Keys,
  f4,
  f5,
  f6,
  g2,
  g2Display,
} from './secure-connections.js';
export { attSignature } from './signing.js';
export { type Toolbox, toolbox } from './toolbox.js';
