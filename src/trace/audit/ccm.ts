/**
 * AES-CCM as the LE link layer uses it (Core Vol 6 Part E 1, 2; RFC 3610 with
 * M = 4, L = 2): the 13-octet nonce is the 39-bit packet counter, the
 * direction bit and the 8-octet IV; the one octet of additional data is the
 * PDU header with NESN, SN and MD masked. Decryption only, for checking a
 * derived key against captured traffic.
 * @module
 */
import { encryptBlock, expandKey } from './aes-tables.js';

const words = (bytes: Uint8Array) => {
  const out = new Uint32Array(4);
  for (let w = 0; w < 4; w++)
    out[w] =
      ((bytes[4 * w]! << 24) | (bytes[4 * w + 1]! << 16) | (bytes[4 * w + 2]! << 8) | bytes[4 * w + 3]!) >>>
      0;
  return out;
};
const octets = (w: Uint32Array) => {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (w[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  return out;
};

/** The link-layer CCM nonce (Vol 6 Part E 2.1): counter (LSO first), direction bit, IV (IVm then IVs). */
export function linkNonce(counter: number, centralToPeripheral: boolean, iv: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(13);
  for (let i = 0; i < 4; i++) nonce[i] = (counter >>> (8 * i)) & 0xff;
  nonce[4] = Math.floor(counter / 2 ** 32) & 0x7f;
  if (centralToPeripheral) nonce[4]! |= 0x80;
  nonce.set(iv.subarray(0, 8), 5);
  return nonce;
}

/**
 * Decrypts `payload` (ciphertext and 4-octet MIC) with the session key (spec
 * order, as AES takes it); returns the plaintext, or undefined when the MIC
 * does not authenticate.
 */
export function ccmDecrypt(
  sessionKey: Uint8Array,
  nonce: Uint8Array,
  header: number,
  payload: Uint8Array,
): Uint8Array | undefined {
  if (payload.length < 4) return undefined;
  const schedule = expandKey(...(Array.from(words(sessionKey)) as [number, number, number, number]));
  const encrypt = (block: Uint8Array) => {
    const out = new Uint32Array(4);
    encryptBlock(schedule, words(block), out);
    return octets(out);
  };
  const length = payload.length - 4;
  const counterBlock = (i: number) => {
    const a = new Uint8Array(16);
    a[0] = 0x01;
    a.set(nonce, 1);
    a[14] = i >> 8;
    a[15] = i & 0xff;
    return encrypt(a);
  };
  const plain = new Uint8Array(length);
  for (let offset = 0, i = 1; offset < length; offset += 16, i++) {
    const s = counterBlock(i);
    for (let j = 0; j < 16 && offset + j < length; j++) plain[offset + j] = payload[offset + j]! ^ s[j]!;
  }
  // CBC-MAC: B0 (flags 0x49: Adata, M = 4, L = 2), B1 (additional data), then the plaintext.
  const b0 = new Uint8Array(16);
  b0[0] = 0x49;
  b0.set(nonce, 1);
  b0[14] = length >> 8;
  b0[15] = length & 0xff;
  let x = encrypt(b0);
  const b1 = new Uint8Array(16);
  b1[1] = 0x01;
  b1[2] = header & 0xe3;
  x = encrypt(x.map((v, i) => v ^ b1[i]!));
  for (let offset = 0; offset < length; offset += 16) {
    const block = new Uint8Array(16);
    block.set(plain.subarray(offset, offset + 16));
    x = encrypt(x.map((v, i) => v ^ block[i]!));
  }
  const s0 = counterBlock(0);
  for (let i = 0; i < 4; i++) if ((x[i]! ^ s0[i]!) !== payload[length + i]) return undefined;
  return plain;
}
