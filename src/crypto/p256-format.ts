/**
 * Conversion between the SMP public-key format (X then Y, each little-endian)
 * and SEC 1 uncompressed points (0x04, X, Y, each big-endian).
 * @module
 */

/** SMP 64-octet public key to a 65-octet SEC 1 uncompressed point. */
export function toUncompressed(publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = 0x04;
  for (let i = 0; i < 32; i++) {
    out[1 + i] = publicKey[31 - i]!;
    out[33 + i] = publicKey[63 - i]!;
  }
  return out;
}

/** A 65-octet SEC 1 uncompressed point to the SMP 64-octet public key. */
export function fromUncompressed(point: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 0; i < 32; i++) {
    out[i] = point[32 - i]!;
    out[32 + i] = point[64 - i]!;
  }
  return out;
}
