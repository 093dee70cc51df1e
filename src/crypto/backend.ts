/**
 * The primitive operations a crypto backend provides. Everything else in the
 * toolbox (c1, s1, ah, f4, f5, f6, g2, h6, h7, h8) is written once on top of
 * these, so both backends share one implementation of the Bluetooth functions.
 * Like the rest of ble-smp, the interface is in wire order: a backend reverses
 * octets at the AES boundary, where the specification's order is needed.
 * @module
 */

/**
 * A P-256 key pair in the SMP wire format: `privateKey` is the 32-octet scalar
 * little-endian, `publicKey` the 64 octets of the Pairing Public Key PDU
 * (X then Y, each little-endian).
 */
export interface P256KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * A crypto backend. Inputs are already checked by the toolbox, so a backend
 * may assume correct lengths and valid peer points (unless it declares
 * {@link CryptoBackend.refusesInvalidPoints}).
 */
export interface CryptoBackend {
  /** Short identifier: `noble` or `node`. */
  readonly name: string;
  /**
   * The function e, AES-128 of one block (Core Vol 3 Part H 2.2.1): key, block
   * and result in wire order, as HCI_LE_Encrypt carries them.
   * @example
   * ```ts
   * // FIPS-197 C.1, little-endian
   * nobleBackend.e(fromHex('0f0e0d0c0b0a09080706050403020100'), fromHex('ffeeddccbbaa99887766554433221100'));
   * // -> 5ac5b47080b7cdd830047b6ad8e0c469
   * ```
   */
  e(key: Uint8Array, block: Uint8Array): Uint8Array;
  /**
   * AES-CMAC (RFC 4493; Core Vol 3 Part H 2.2.5) of the message `fields[0] ||
   * fields[1] || ...`, each field most significant octet first. Key, every
   * field and the MAC are in wire order.
   * @example
   * ```ts
   * backend.cmac(x, [u, v, Uint8Array.of(z)]); // f4(u, v, x, z): the fields are not joined first
   * ```
   */
  cmac(key: Uint8Array, fields: readonly Uint8Array[]): Uint8Array;
  /**
   * Optional: {@link cmac} of each message under one key, in order, where
   * that is cheaper than separate calls (node:crypto: one cipher and one
   * L = AES(K, 0) for all of them). Callers fall back to `cmac` per message.
   * @example
   * ```ts
   * const [macKey, ltk] = backend.cmacs!(t, [messageWithCounter0, messageWithCounter1]); // f5's two keys under T
   * ```
   */
  cmacs?(key: Uint8Array, messages: readonly (readonly Uint8Array[])[]): Uint8Array[];
  /**
   * A fresh P-256 key pair from a cryptographic RNG.
   * @example
   * ```ts
   * const { privateKey, publicKey } = nodeBackend.p256GenerateKeyPair(); // 32 and 64 octets, wire order
   * ```
   */
  p256GenerateKeyPair(): P256KeyPair;
  /**
   * The public key of a private scalar (1 <= d < n).
   * @example
   * ```ts
   * nobleBackend.p256PublicKey(DEBUG_PRIVATE_KEY); // equals DEBUG_PUBLIC_KEY
   * ```
   */
  p256PublicKey(privateKey: Uint8Array): Uint8Array;
  /**
   * The X coordinate of privateKey x peerPublicKey, little-endian (the DHKey).
   * @example
   * ```ts
   * validatePublicKey(peerPublicKey); // the backend assumes a valid point: dhKey() checks first
   * const dhkey = nodeBackend.p256Ecdh(ours.privateKey, peerPublicKey); // 32 octets
   * ```
   */
  p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  /**
   * True when {@link p256Ecdh} itself throws for every peer point that is
   * not on P-256 (the point at infinity, a coordinate not below p, a point
   * off the curve), as OpenSSL does. `dhKey()` then checks the point only
   * after such a throw, to name the problem; a backend without it (or with
   * it false) gets only points `dhKey()` has already checked.
   * @example
   * ```ts
   * const backend: CryptoBackend = { ...nodeBackend, name: 'mine', refusesInvalidPoints: true };
   * ```
   */
  readonly refusesInvalidPoints?: boolean;
}
