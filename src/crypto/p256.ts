/**
 * P-256 for LE Secure Connections (Core Vol 3 Part H 2.3.5.6): key pairs, the
 * peer public-key check, ECDH (the DHKey) and the debug key pair. Keys use the
 * SMP wire format: the private key is 32 octets little-endian, the public key
 * the 64 octets of the Pairing Public Key PDU (X then Y, each little-endian).
 * @module
 */
import type { CryptoBackend, P256KeyPair } from './backend.js';
import { equalBytes, fromHex, reverse } from './bytes.js';
import { octets } from './check.js';
import { defaultBackend } from './default-backend.js';
import { CryptoInputError, InvalidPublicKeyError } from './errors.js';

export type { P256KeyPair } from './backend.js';

// FIPS 186-4 D.1.2.3 / SEC 2 2.4.2: the P-256 field prime, curve coefficient b and group order.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * The debug private key of Core Vol 3 Part H 2.3.5.6.1, little-endian. A device
 * in debug mode uses it so that air traffic can be decrypted; ble-smp refuses a
 * peer that uses it unless the policy allows debug keys.
 * @example
 * ```ts
 * derivePublicKey(DEBUG_PRIVATE_KEY); // equals DEBUG_PUBLIC_KEY
 * ```
 */
export const DEBUG_PRIVATE_KEY: Uint8Array = reverse(
  fromHex('3f49f6d4a3c55f3874c9b3e3d2103f504aff607beb40b7995899b8a6cd3c1abd'),
);

/**
 * The debug public key of Core Vol 3 Part H 2.3.5.6.1, as in a Pairing Public Key PDU.
 * @example
 * ```ts
 * if (isDebugPublicKey(peerKey)) console.warn('peer is in debug mode: its traffic can be decrypted');
 * ```
 */
export const DEBUG_PUBLIC_KEY: Uint8Array = Uint8Array.from([
  ...reverse(fromHex('20b003d2f297be2c5e2c83a7e9f9a5b9eff49111acf4fddbcc0301480e359de6')),
  ...reverse(fromHex('dc809c49652aeb6d63329abf5a52155c766345c28fed3024741c8ed01589d28b')),
]);

/** 32 octets little-endian (the SMP wire order) at `offset` to a bigint: four 64-bit reads, no hex string. */
function littleEndian256(bytes: Uint8Array, offset: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 32);
  return (
    view.getBigUint64(0, true) |
    (view.getBigUint64(8, true) << 64n) |
    (view.getBigUint64(16, true) << 128n) |
    (view.getBigUint64(24, true) << 192n)
  );
}

function publicKeyProblem(publicKey: Uint8Array): InvalidPublicKeyError['reason'] | undefined {
  let any = 0;
  for (let i = 0; i < 64; i++) any |= publicKey[i]!;
  if (any === 0) return 'infinity';
  const x = littleEndian256(publicKey, 0);
  const y = littleEndian256(publicKey, 32);
  if (x >= P || y >= P) return 'coordinate-out-of-range';
  // y^2 = x^3 - 3x + b (mod p)
  const rhs = (((((x * x) % P) * x) % P) - 3n * x + B) % P;
  if ((y * y - rhs) % P !== 0n) return 'not-on-curve';
  return undefined;
}

/**
 * Whether a peer's public key is a valid P-256 point: not the point at
 * infinity, both coordinates below p, and on the curve (the check whose
 * absence was CVE-2018-5383).
 * @example
 * ```ts
 * isValidPublicKey(DEBUG_PUBLIC_KEY); // true
 * isValidPublicKey(new Uint8Array(64)); // false: the point at infinity
 * ```
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array && publicKey.length === 64 && publicKeyProblem(publicKey) === undefined
  );
}

/**
 * Throws an {@link InvalidPublicKeyError} unless `publicKey` is a valid P-256
 * point (see {@link isValidPublicKey}).
 * @example
 * ```ts
 * validatePublicKey(peerPublicKey); // throws InvalidPublicKeyError, e.g. reason 'not-on-curve'
 * ```
 */
export function validatePublicKey(
  publicKey: Uint8Array,
  fn = 'validatePublicKey',
  argument = 'publicKey',
): void {
  octets(fn, argument, publicKey, 64);
  const problem = publicKeyProblem(publicKey);
  if (problem) throw new InvalidPublicKeyError(fn, argument, problem);
}

/**
 * A fresh P-256 key pair from a cryptographic RNG.
 * @example
 * ```ts
 * const { privateKey, publicKey } = generateKeyPair(); // 32 and 64 octets, wire order
 * ```
 */
export function generateKeyPair(backend: CryptoBackend = defaultBackend()): P256KeyPair {
  return backend.p256GenerateKeyPair();
}

/** The group order n, little-endian like an SMP private key. */
const N_LE = reverse(fromHex(N.toString(16).padStart(64, '0')));

/** 1 <= d < n for a little-endian scalar, by comparing octets from the most significant (no bigint). */
function inScalarRange(key: Uint8Array): boolean {
  let any = 0;
  for (let i = 0; i < 32; i++) any |= key[i]!;
  if (any === 0) return false;
  for (let i = 31; i >= 0; i--) {
    if (key[i]! !== N_LE[i]!) return key[i]! < N_LE[i]!;
  }
  return false; // d = n
}

function checkPrivateKey(fn: string, privateKey: unknown): Uint8Array {
  const key = octets(fn, 'privateKey', privateKey, 32);
  if (!inScalarRange(key)) throw new CryptoInputError(fn, 'privateKey', 'must be a scalar from 1 to n-1');
  return key;
}

/**
 * The public key of a private key (both in the SMP wire format).
 * @example
 * ```ts
 * derivePublicKey(DEBUG_PRIVATE_KEY); // equals DEBUG_PUBLIC_KEY
 * ```
 */
export function derivePublicKey(
  privateKey: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  return backend.p256PublicKey(checkPrivateKey('derivePublicKey', privateKey));
}

/**
 * The DHKey: the X coordinate of `privateKey` x `peerPublicKey`, 32 octets
 * little-endian, ready for f5. The peer key is checked first, or, on a
 * backend that {@link CryptoBackend.refusesInvalidPoints} (node:crypto), by
 * the backend, and named here when it refuses.
 * @throws InvalidPublicKeyError when the peer key is not a valid P-256 point.
 * @example
 * ```ts
 * const ours = generateKeyPair();
 * const dh = dhKey(ours.privateKey, peerPublicKey); // 32 octets
 * ```
 */
export function dhKey(
  privateKey: Uint8Array,
  peerPublicKey: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  const key = checkPrivateKey('dhKey', privateKey);
  if (!backend.refusesInvalidPoints) {
    validatePublicKey(peerPublicKey, 'dhKey', 'peerPublicKey');
    return backend.p256Ecdh(key, peerPublicKey);
  }
  // The backend checks the point itself (OpenSSL does, in computeSecret): name the problem only when it refuses.
  octets('dhKey', 'peerPublicKey', peerPublicKey, 64);
  try {
    return backend.p256Ecdh(key, peerPublicKey);
  } catch (error) {
    const problem = publicKeyProblem(peerPublicKey);
    if (problem) throw new InvalidPublicKeyError('dhKey', 'peerPublicKey', problem);
    throw error;
  }
}

/**
 * Whether a public key is the spec's debug public key (Core Vol 3 Part H 2.3.5.6.1).
 * @example
 * ```ts
 * isDebugPublicKey(DEBUG_PUBLIC_KEY); // true
 * ```
 */
export function isDebugPublicKey(publicKey: Uint8Array): boolean {
  return publicKey.length === 64 && equalBytes(publicKey, DEBUG_PUBLIC_KEY);
}
