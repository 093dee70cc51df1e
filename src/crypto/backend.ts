/**
 * The primitive operations a crypto backend provides. Everything else in the
 * toolbox (c1, s1, ah, f4, f5, f6, g2, h6, h7, h8) is written once on top of
 * these, so both backends share one implementation of the Bluetooth functions.
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
 * A crypto backend. The AES primitives take and return octets in spec order
 * (the order AES consumes: most significant octet first); the P-256 primitives
 * take and return the SMP wire format. Inputs are already checked by the
 * toolbox, so a backend may assume correct lengths and valid peer points.
 */
export interface CryptoBackend {
  /** Short identifier: `noble` or `node`. */
  readonly name: string;
  /** AES-128 of one 16-octet block (Core Vol 3 Part H 2.2.1, the function e). */
  aes128(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-CMAC with a 128-bit key (RFC 4493; Core Vol 3 Part H 2.2.5). */
  aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array;
  /** A fresh P-256 key pair from a cryptographic RNG. */
  p256GenerateKeyPair(): P256KeyPair;
  /** The public key of a private scalar (1 <= d < n). */
  p256PublicKey(privateKey: Uint8Array): Uint8Array;
  /** The X coordinate of privateKey x peerPublicKey, little-endian (the DHKey). */
  p256Ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}
